/** Small helpers shared by the benchmarks: medians, peak memory, the shared people's frames. */
import { isAbsolute, join, resolve } from 'node:path';
import { SHARED } from '../src/testing/data.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Peak resident memory of this process so far, in MB (as the reference's ru_maxrss / 1024). */
export function peakRssMb(): number {
  return +(process.resourceUsage().maxRSS / 1024).toFixed(1);
}

/** A person's frames: a folder named as a path, else one of the shared people (a folder of shared/data/faces). */
export const framesOf = (person: string) =>
  isAbsolute(person) || person.startsWith('.') ? resolve(person) : join(SHARED, 'data', 'faces', person);
