/**
 * Identity descriptors with @vladmandic/face-api's recognition net (a port of dlib's ResNet, 128 numbers a face,
 * weights in the npm package), run on libtorch. It reads a 150 px face chip cut the way dlib cuts them: the mean face
 * spanning 2/3 of the chip. Two faces of one person are usually under 0.6 apart (Euclidean distance).
 */
import type { RgbImage } from '../core/image.js';
import { recognitionNet } from './recognition-net.js';

/** The chip the net reads: side in pixels and the mean-face coverage (dlib's padding 0.25 -> 1 / 1.5). */
export const IDENTITY_CHIP = { size: 150, coverage: 1 / 1.5 } as const;
/** Distance under which two descriptors are taken as one person (dlib's and face-api's usual threshold). */
export const SAME_PERSON = 0.6;
/** face-api's SSD confidence from which a face counts as found (its own default). */
export const SSD_FOUND = 0.5;

/** Loads the descriptor's net now, ahead of the first face (else the first faceDescriptor does); never throws. */
export function warmDescriptor(): void {
  recognitionNet().catch(() => undefined);
}

/**
 * The 128-d descriptor of a face chip (IDENTITY_CHIP: 150 px, cut with coverage 2/3): face-api's recognition net, run
 * on libtorch (recognition-net.ts: face-api's descriptors to about 1e-6, 2.9x sooner).
 */
export async function faceDescriptor(chip: RgbImage): Promise<number[]> {
  return (await recognitionNet()).describe([chip])[0]!;
}

export function descriptorDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
