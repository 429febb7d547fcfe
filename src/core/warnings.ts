/**
 * Warnings: what a run did not do and why (a file skipped, a video shorter than it said), reported as it happens
 * through the caller's `onWarning` and kept for the summary, so that a bad file among many is skipped and named
 * instead of ending the run.
 */

/** A file left out, and why. */
import { basename } from 'node:path';
import { ErrorCodes, FaceganError } from './errors.js';

export interface Skipped {
  file: string;
  reason: string;
}

/**
 * Runs `read`; a BAD_FILE error (the file, not the program, is at fault) adds `file` to `skipped` with the reason
 * (`reason` may shorten the message) and gives undefined. Any other error is thrown on.
 */
export async function orSkip<T>(
  file: string,
  skipped: Skipped[],
  read: () => Promise<T>,
  reason: (message: string) => string = (m) => m,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof FaceganError) || e.code !== ErrorCodes.BAD_FILE) throw e;
    skipped.push({ file, reason: reason(e.message) });
    return undefined;
  }
}

export class Warnings {
  readonly list: string[] = [];
  constructor(private readonly on?: (message: string) => void) {}

  add(message: string): void {
    this.list.push(message);
    this.on?.(message);
  }

  /** One warning for the files a step skipped (the first few with their reasons, then up to 50 names), if any. */
  skipped(skipped: readonly Skipped[], where: string, total: number): void {
    if (!skipped.length) return;
    const shown = skipped.slice(0, 5).map((s) => s.reason);
    const rest = skipped.slice(5, 55).map((s) => basename(s.file));
    const more = rest.length
      ? `; also ${rest.join(', ')}${skipped.length > 55 ? ` and ${skipped.length - 55} more` : ''}`
      : '';
    this.add(
      `skipped ${skipped.length} of ${total} files in ${where} ` +
        `(fix, re-extract or remove them): ${shown.join('; ')}${more}`,
    );
  }
}
