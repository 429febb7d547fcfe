/**
 * The frames of an input, whatever its kind: one image, a folder of images (sorted by name) or a video (decoded
 * through ffmpeg). Each frame has the key the alignments file files it under.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { videoFrameKey } from '../core/alignments.js';
import { readImage, IMAGE_EXTENSIONS } from './image.js';
import { isVideoFile, probeVideo, readFrames, type FrameRange, type VideoInfo } from './video.js';

/** One frame to process: a file of a folder, or a decoded video frame. */
export interface Frame {
  key: string;
  /** File name, or the frame index of a video as a string. */
  source: string;
  index?: number;
  timestamp?: number;
  /** Whether the file has an image extension (folders may hold other files). */
  isImage: boolean;
  /** Why the file cannot be read at all (a name that is not UTF-8, a link to nothing): reported and skipped. */
  problem?: string;
  image: () => Promise<RgbImage>;
}

export type InputKind = 'image' | 'folder' | 'video';

export function inputKind(input: string): InputKind {
  if (!existsSync(input))
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No file or folder at ${input}: give an image, a folder of images or a video with -i.`,
    );
  if (statSync(input).isDirectory()) return 'folder';
  return isVideoFile(input) ? 'video' : 'image';
}

/** The frames of the input, every n-th (or a video's frames `range`), with their count when known up front. */
export function listFrames(
  input: string,
  kind: InputKind,
  everyN: number,
  signal?: AbortSignal,
  onWarning?: (message: string) => void,
  range?: FrameRange,
): { total: number; frames: AsyncIterable<Frame>; video?: VideoInfo } {
  if (kind === 'video') {
    const info = probeVideo(input);
    return {
      total: range ? range.to - range.from : Math.ceil(info.frames / everyN),
      video: info,
      frames: (async function* () {
        for await (const f of readFrames(input, { everyN, signal, info, onWarning, range })) {
          yield {
            key: videoFrameKey(f.index),
            source: String(f.index),
            index: f.index,
            timestamp: f.timestamp,
            isImage: true,
            image: async () => f.image,
          };
        }
      })(),
    };
  }
  const files = kind === 'folder' ? folderEntries(input) : [{ name: basename(input) }];
  const chosen = files.filter((_, i) => i % everyN === 0);
  const dir = kind === 'folder' ? input : dirname(input);
  return {
    total: chosen.length,
    frames: (async function* () {
      for (const { name: key, problem } of chosen) {
        const isImage = IMAGE_EXTENSIONS.includes(extname(key).toLowerCase() as never);
        yield { key, source: key, isImage, ...(problem ? { problem } : {}), image: () => readImage(join(dir, key)) };
      }
    })(),
  };
}

/**
 * The files of a folder by name, without hidden ones and sub-folders. A name that is not valid UTF-8 (which no
 * path string can reach) or a link to nothing is kept with its problem, to be reported and skipped.
 */
export function folderEntries(folder: string): { name: string; problem?: string }[] {
  const out: { name: string; problem?: string }[] = [];
  for (const raw of readdirSync(folder, { encoding: 'buffer' })) {
    const name = raw.toString('utf8');
    if (name.startsWith('.')) continue;
    if (!Buffer.from(name, 'utf8').equals(raw)) {
      out.push({ name, problem: `its name is not valid UTF-8 (${JSON.stringify(name)}); rename it to read it` });
      continue;
    }
    try {
      if (statSync(join(folder, name)).isDirectory()) continue;
    } catch (e) {
      out.push({
        name,
        problem:
          'it cannot be read (' +
          `${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'a link to nothing' : (e as Error).message})`,
      });
      continue;
    }
    out.push({ name });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
