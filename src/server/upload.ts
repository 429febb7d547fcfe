/**
 * Uploads into the workspace: a picture or a video, size-limited, checked to be what its name says (its first bytes,
 * then the image decoder or ffprobe), written under a temporary name and renamed into place only when whole and
 * checked. An existing file is never replaced.
 */
import { createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, renameSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { IMAGE_EXTENSIONS } from '../media/image.js';
import { VIDEO_EXTENSIONS, probeVideo } from '../media/video.js';

/** The largest upload taken by default (a video of a few minutes in 1080p). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** What a file's first bytes say it is. */
function sniff(head: Buffer): 'image' | 'video' | undefined {
  const at = (i: number, s: string) => head.subarray(i, i + s.length).toString('latin1') === s;
  if (head[0] === 0xff && head[1] === 0xd8) return 'image'; // JPEG
  if (at(0, '\x89PNG') || at(0, 'GIF8') || at(0, 'BM') || at(0, 'II*\0') || at(0, 'MM\0*')) return 'image';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'image';
  if (at(4, 'ftyp')) return at(8, 'avif') || at(8, 'avis') ? 'image' : 'video'; // MP4, MOV, AVIF
  if (at(0, '\x1a\x45\xdf\xa3')) return 'video'; // Matroska, WebM
  if (at(0, 'RIFF') && at(8, 'AVI ')) return 'video';
  if (head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0xba) return 'video'; // MPEG program stream
  return undefined;
}

/** Saves `body` as `name` in `dir`; returns the file's path. Refuses other types, bigger files, and existing names. */
export async function saveUpload(dir: string, name: string, body: Readable, limit = MAX_UPLOAD_BYTES): Promise<string> {
  const ext = extname(name).toLowerCase();
  const kind = IMAGE_EXTENSIONS.includes(ext as never)
    ? 'image'
    : VIDEO_EXTENSIONS.includes(ext as never)
      ? 'video'
      : undefined;
  if (!name || basename(name) !== name || name.startsWith('.') || !kind)
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Expected a picture (${IMAGE_EXTENSIONS.join(' ')}) or a video (${VIDEO_EXTENSIONS.join(' ')}) file name, ` +
        `but received ${JSON.stringify(name)}.`,
    );
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  if (existsSync(target)) throw new FaceganError(ErrorCodes.USAGE, `${name} is there already: rename the upload.`);
  const tmp = join(dir, `.${name}.upload-${process.pid}-${Date.now()}`);
  let size = 0;
  try {
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          size += c.length;
          if (size > limit)
            throw new FaceganError(
              ErrorCodes.USAGE,
              `${name} is larger than the ${limit / 1024 ** 2} MB uploads may be.`,
            );
          yield c;
        }
      },
      createWriteStream(tmp),
    );
    const head = Buffer.alloc(16);
    const fd = openSync(tmp, 'r');
    try {
      readSync(fd, head, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
    const is = sniff(head);
    const bad = () =>
      new FaceganError(ErrorCodes.BAD_FILE, `${name} is not the ${kind} its name says (its content does not decode).`);
    if (is !== kind) throw bad();
    try {
      if (kind === 'image') await sharp(tmp).metadata();
      else probeVideo(tmp);
    } catch {
      throw bad();
    }
    if (existsSync(target)) throw new FaceganError(ErrorCodes.USAGE, `${name} is there already: rename the upload.`);
    renameSync(tmp, target);
    return target;
  } finally {
    rmSync(tmp, { force: true });
  }
}
