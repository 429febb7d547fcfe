/**
 * The dashboard's workspace: the one folder whose files it reads and writes. Every path a request names is resolved
 * inside it, and anything that leaves it is refused: `..`, an absolute path elsewhere, or a link that points out.
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { realPath } from '../io/paths.js';

export class Workspace {
  readonly root: string;

  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    this.root = realPath(root);
  }

  /** Where the dashboard keeps its jobs (hidden inside the workspace). */
  get jobsDir(): string {
    return join(this.root, '.facegan', 'jobs');
  }

  /**
   * The absolute path of `p` (relative to the workspace, or absolute inside it), once every link in it is followed;
   * refused when that lies outside the workspace.
   */
  resolve(p: string, what = 'path'): string {
    if (typeof p !== 'string' || !p || p.includes('\0'))
      throw new FaceganError(
        ErrorCodes.FORBIDDEN,
        `Expected a ${what} inside the workspace, but received ${JSON.stringify(p)}.`,
      );
    const abs = isAbsolute(p) ? resolve(p) : resolve(this.root, p);
    const real = realPath(abs);
    if (real !== this.root && !real.startsWith(this.root + sep))
      throw new FaceganError(
        ErrorCodes.FORBIDDEN,
        `The ${what} ${p} is outside the workspace ${this.root}` +
          `${real !== abs ? ` (through a link, to ${real})` : ''}: ` +
          'the dashboard reads and writes only inside it.',
      );
    return real;
  }

  /** A path as the pages show it: relative to the workspace. */
  show(abs: string): string {
    return relative(this.root, abs) || '.';
  }
}
