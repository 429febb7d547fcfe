/** Small CycleGAN settings and plain-photo folders for the tests of CycleGAN training, translate and eval. */
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sharedData } from './data.js';
import { testTmp } from './faces.js';

/** A CycleGAN small enough to train a few iterations in a second. */
export const TINY_CYCLEGAN = {
  model: 'cyclegan',
  size: 32,
  ngf: 8,
  ndf: 8,
  blocks: 1,
  batchSize: 2,
  precision: 'auto',
} as const;

/** A folder of the first `count` frames of shared/data/faces/NAME as plain photos (links; no face records). */
export function photoFolder(name: string, count: number): string {
  const dir = join(testTmp(), `${name}-photos-${count}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    const src = sharedData('faces', name);
    for (const f of readdirSync(src).sort().slice(0, count)) symlinkSync(join(src, f), join(dir, f));
  }
  return dir;
}
