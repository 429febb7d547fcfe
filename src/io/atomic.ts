/**
 * Atomic file writes: data goes to a temporary file beside the target, is flushed to disk, then renamed over it,
 * so a reader (or a crash) never sees a half-written file and an old file survives a failed write.
 */
import { closeSync, copyFileSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A hidden temporary name beside `path`, unique to this process and call (a killed writer's are `.*.tmp`). */
const tempBeside = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/** Writes the chunks, in order, to `path` atomically. */
export function writeFileAtomic(path: string, chunks: Iterable<Uint8Array | string>): void {
  const tmp = tempBeside(path);
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let off = 0;
      while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Copies `src` to `dst` atomically (a temporary copy, flushed, then renamed), without holding the file in memory. */
export function copyFileAtomic(src: string, dst: string): void {
  const tmp = tempBeside(dst);
  try {
    copyFileSync(src, tmp);
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, dst);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The SHA-256 of a file, read in chunks (a checkpoint's optimizer file is hundreds of MB). */
export function sha256File(path: string): string {
  const hash = createHash('sha256'),
    buf = Buffer.allocUnsafe(8 << 20),
    fd = openSync(path, 'r');
  try {
    for (let n: number; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
