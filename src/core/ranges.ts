/** Integer lists as users type them: "0-15", "1,2,3", "0-3,10" (inclusive ranges, in the order given). */
import { ErrorCodes, FaceganError } from './errors.js';

export function parseRanges(text: string, what: string, max = 100_000): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const [lo, hi] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || hi < lo) {
      throw new FaceganError(
        ErrorCodes.USAGE,
        `Expected ${what} as numbers and ranges (e.g. 0-15 or 1,4,9) but received "${text}".`,
      );
    }
    for (let k = lo; k <= hi; k++) out.push(k);
    if (out.length > max)
      throw new FaceganError(ErrorCodes.USAGE, `Expected at most ${max} ${what} but "${text}" names more.`);
  }
  return out;
}
