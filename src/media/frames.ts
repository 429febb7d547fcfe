/**
 * The frames of an input, whatever its kind: one image, a folder of images (sorted by name) or a video (decoded
 * through ffmpeg). Each frame has the key the alignments file files it under.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { videoFrameKey } from '../core/alignments.js';
import { readImage, IMAGE_EXTENSIONS } from './image.js';
import { isVideoFile, probeVideo, readFrames, type VideoInfo } from './video.js';

/** One frame to process: a file of a folder, or a decoded video frame. */
export interface Frame {
  key: string;
  /** File name, or the frame index of a video as a string. */
  source: string;
  index?: number;
  timestamp?: number;
  /** Whether the file has an image extension (folders may hold other files). */
  isImage: boolean;
  image: () => Promise<RgbImage>;
}

export type InputKind = 'image' | 'folder' | 'video';

export function inputKind(input: string): InputKind {
  if (!existsSync(input)) throw new FaceganError(ErrorCodes.BAD_FILE, `No file or folder at ${input}: give an image, a folder of images or a video with -i.`);
  if (statSync(input).isDirectory()) return 'folder';
  return isVideoFile(input) ? 'video' : 'image';
}

/** The frames of the input, every n-th, with their count when known up front. */
export function listFrames(input: string, kind: InputKind, everyN: number, signal?: AbortSignal): { total: number; frames: AsyncIterable<Frame>; video?: VideoInfo } {
  if (kind === 'video') {
    const info = probeVideo(input);
    return {
      total: Math.ceil(info.frames / everyN), video: info,
      frames: (async function* () {
        for await (const f of readFrames(input, { everyN, signal, info })) {
          yield { key: videoFrameKey(f.index), source: String(f.index), index: f.index, timestamp: f.timestamp, isImage: true, image: async () => f.image };
        }
      })(),
    };
  }
  const files = kind === 'folder'
    ? readdirSync(input).filter((f) => !f.startsWith('.') && statSync(join(input, f)).isFile()).sort().map((f) => join(input, f))
    : [input];
  const chosen = files.filter((_, i) => i % everyN === 0);
  return {
    total: chosen.length,
    frames: (async function* () {
      for (const path of chosen) {
        const key = basename(path);
        yield { key, source: key, isImage: IMAGE_EXTENSIONS.includes(extname(key).toLowerCase() as never), image: () => readImage(path) };
      }
    })(),
  };
}
