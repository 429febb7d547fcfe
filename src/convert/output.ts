/**
 * Where convert writes: the same kind as the input (an image file, a folder of images, a video file), or, from a
 * video, a folder of PNG frames or a GIF. Never over an input; an existing output only with --overwrite (a folder
 * of images resumes instead: images already written are kept).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { realPath } from '../io/paths.js';
import type { InputKind } from '../media/frames.js';
import { WRITABLE_IMAGE_EXTENSIONS } from '../media/image.js';
import { VIDEO_EXTENSIONS } from '../media/video.js';

export type OutputKind = 'image' | 'folder' | 'video' | 'frames';

export interface OutputTarget {
  kind: OutputKind;
  /** The file, or the folder for 'folder' and 'frames'. */
  path: string;
}

const usage = (m: string) => new FaceganError(ErrorCodes.USAGE, m);
const real = realPath; // through links, also for an output not made yet (its folder may be a link to the input)
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** An image's output name: the input's, with a format facegan can write (PNG when the input's is not one). */
export function imageOutputName(name: string): string {
  const ext = extname(name).toLowerCase();
  return WRITABLE_IMAGE_EXTENSIONS.includes(ext as never) ? name : `${basename(name, extname(name))}.png`;
}

export function resolveOutput(input: string, kind: InputKind, output: string, overwrite: boolean): OutputTarget {
  const inReal = real(input);
  let target: OutputTarget;
  const ext = extname(output).toLowerCase();
  if (kind === 'image') {
    const path = isDir(output) ? join(output, imageOutputName(basename(input))) : output;
    if (!WRITABLE_IMAGE_EXTENSIONS.includes(extname(path).toLowerCase() as never)) {
      throw usage(
        `Expected an output image ending in ${WRITABLE_IMAGE_EXTENSIONS.join(', ')} (or a folder) for -o, ` +
          `but received ${output}.`,
      );
    }
    target = { kind: 'image', path: resolve(path) };
  } else if (kind === 'folder') {
    if (existsSync(output) && !isDir(output))
      throw usage(`The input is a folder, so -o must be a folder too; ${output} is a file.`);
    target = { kind: 'folder', path: resolve(output) };
  } else if (VIDEO_EXTENSIONS.includes(ext as never) || ext === '.gif') {
    target = { kind: 'video', path: resolve(output) };
  } else if (ext === '' || isDir(output)) {
    target = { kind: 'frames', path: resolve(output) };
  } else {
    throw usage(
      `Expected a video file (${VIDEO_EXTENSIONS.slice(0, 4).join(', ')}, ...), ` +
        `a .gif, or a folder for PNG frames as -o, but received ${output}.`,
    );
  }
  const outReal = real(target.path);
  if (outReal === inReal)
    throw usage(`The output ${output} is the input: convert never overwrites its input. Give another -o.`);
  if (kind === 'folder' && outReal.startsWith(`${inReal}/`))
    throw usage(`The output folder ${output} is inside the input folder; give a folder outside it.`);
  if ((target.kind === 'image' || target.kind === 'video') && existsSync(target.path) && !overwrite) {
    throw usage(`${target.path} exists; pass --overwrite to replace it, or give another -o.`);
  }
  if (target.kind === 'folder' || target.kind === 'frames') mkdirSync(target.path, { recursive: true });
  else if (!existsSync(dirname(target.path))) throw usage(`The folder of ${output} does not exist; make it first.`);
  return target;
}
