/** Where an input's alignments file lives by default, and reading one from disk. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { parseAlignments, type Alignments } from '../core/alignments.js';

/** INPUT.alignments.json beside a folder, or NAME.alignments.json beside a file. */
export function defaultAlignmentsPath(input: string): string {
  const abs = resolve(input);
  const isDir = existsSync(abs) && statSync(abs).isDirectory();
  return isDir
    ? `${abs.replace(/\/+$/, '')}.alignments.json`
    : join(dirname(abs), `${basename(abs, extname(abs))}.alignments.json`);
}

/** Reads and validates (and upgrades) an alignments file. */
export function readAlignmentsFile(path: string): Alignments {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `Cannot read the alignments file ${path} (${(e as Error).message}); re-run facegan extract to make it again.`,
      { cause: e },
    );
  }
  return parseAlignments(raw, path);
}
