/** Path checks that see through links: an output that is the input under another name is still the input. */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';

/** The real path of `p`, or of its nearest existing parent with the rest appended (for outputs not made yet). */
export function realPath(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(realPath(parent), basename(abs));
}

/** Whether two paths name the same file or folder once links are resolved. */
export const sameFile = (a: string, b: string): boolean => realPath(a) === realPath(b);

/** The largest image facegan reads (a 16k x 16k PNG is far below it). */
export const MAX_IMAGE_BYTES = 512 * 1024 * 1024;

/**
 * Refuses what is not a regular file of a sane size before reading it: a link to /dev/zero or a FIFO named .png
 * would otherwise fill memory or hang the reader.
 */
export function checkRegularFile(path: string, maxBytes = MAX_IMAGE_BYTES): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${path} cannot be read (${code === 'ENOENT' ? 'a link to nothing' : code}).`,
      { cause: e },
    );
  }
  if (!st.isFile())
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${path} is not a regular file (a device, a pipe or a folder); facegan reads image files only.`,
    );
  if (st.size > maxBytes) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${path} is ${(st.size / 2 ** 20).toFixed(0)} MB, over the ${maxBytes / 2 ** 20} MB facegan reads as one image.`,
    );
  }
}
