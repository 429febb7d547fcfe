/**
 * DiffAugment (Zhao et al. 2020): differentiable augmentations applied to every image the discriminator sees,
 * real and fake, so that it cannot memorise a few hundred faces and G still gets gradients through them:
 * - colour: brightness (+U(-0.5, 0.5)), saturation (x U(0, 2) about the pixel's mean), contrast (x U(0.5, 1.5)
 *   about the image's mean);
 * - translation: a whole-pixel shift of up to 1/8 of the side each way, zeros coming in;
 * - cutout: a square of half the side zeroed at a random place.
 * The draws come from (seed, iteration, call), so a resumed run augments as the first did.
 */
import { type Tensor, cat, pad, tensor } from '../../engine/index.js';
import { Random } from '../../core/random.js';

export const DIFFAUGMENT_POLICIES = ['color', 'translation', 'cutout'] as const;
export type DiffAugmentPolicy = (typeof DIFFAUGMENT_POLICIES)[number];

/** Per-sample values as a [N, 1, 1, 1] tensor on x's device and dtype. */
const perSample = (x: Tensor, values: number[]) =>
  tensor(values, { shape: [values.length, 1, 1, 1], device: x.device }).to(x.dtype);

export function colour(x: Tensor, brightness: number[], saturation: number[], contrast: number[]): Tensor {
  let y = x.add(perSample(x, brightness));
  const pixelMean = y.mean(1, true);
  y = y.sub(pixelMean).mul(perSample(x, saturation)).add(pixelMean);
  const imageMean = y.mean([1, 2, 3], true);
  return y.sub(imageMean).mul(perSample(x, contrast)).add(imageMean);
}

/**
 * Shifts each image by whole pixels ([dx, dy] per sample; positive moves content right/down), zeros coming in. Pad
 * and slice, not grid_sample: R1 differentiates through it twice, and grid_sample's backward has no derivative.
 */
export function translate(x: Tensor, shifts: readonly (readonly [number, number])[]): Tensor {
  const [, , h, w] = x.shape as [number, number, number, number];
  const px = Math.max(...shifts.map(([dx]) => Math.abs(dx))),
    py = Math.max(...shifts.map(([, dy]) => Math.abs(dy)));
  const padded = pad(x, [px, px, py, py]);
  const rows = shifts.map(([dx, dy], i) =>
    padded
      .narrow(0, i, 1)
      .narrow(2, py - dy, h)
      .narrow(3, px - dx, w),
  );
  return cat(rows, 0);
}

/** Zeroes a square of side `size` centred at [cx, cy] (pixels) in each image. */
export function cutout(x: Tensor, centres: readonly (readonly [number, number])[], size: number): Tensor {
  const [n, , h, w] = x.shape as [number, number, number, number];
  const mask = new Float32Array(n * h * w).fill(1);
  centres.forEach(([cx, cy], i) => {
    const x0 = Math.max(0, cx - (size >> 1)),
      y0 = Math.max(0, cy - (size >> 1));
    const x1 = Math.min(w, cx - (size >> 1) + size),
      y1 = Math.min(h, cy - (size >> 1) + size);
    for (let y = y0; y < y1; y++) mask.fill(0, i * h * w + y * w + x0, i * h * w + y * w + Math.max(x0, x1));
  });
  return x.mul(tensor(mask, { shape: [n, 1, h, w], device: x.device }).to(x.dtype));
}

/** The augmentations of `policy`, drawn from (seed, iteration, call). */
export function diffAugment(
  x: Tensor,
  policy: readonly DiffAugmentPolicy[],
  seed: number,
  iteration: number,
  call: number,
): Tensor {
  const [n, , h, w] = x.shape as [number, number, number, number];
  const rng = new Random(seed, iteration, call, 0xd1ff);
  const draw = <T>(f: () => T): T[] => Array.from({ length: n }, f);
  let y = x;
  if (policy.includes('color')) {
    y = colour(
      y,
      draw(() => rng.uniform(-0.5, 0.5)),
      draw(() => rng.uniform(0, 2)),
      draw(() => rng.uniform(0.5, 1.5)),
    );
  }
  if (policy.includes('translation')) {
    const sx = Math.round(w / 8),
      sy = Math.round(h / 8);
    y = translate(
      y,
      draw(() => [rng.int(2 * sx + 1) - sx, rng.int(2 * sy + 1) - sy] as const),
    );
  }
  if (policy.includes('cutout')) {
    y = cutout(
      y,
      draw(() => [rng.int(w), rng.int(h)] as const),
      Math.round(Math.min(h, w) / 2),
    );
  }
  return y;
}

/** The step's augment: each call within an iteration draws anew (reals and fakes differ), the same on a resume. */
export function augmenter(
  policy: readonly DiffAugmentPolicy[],
  seed: number,
): (x: Tensor, iteration: number) => Tensor {
  let current = -1,
    call = 0;
  return (x, iteration) => {
    if (iteration !== current) [current, call] = [iteration, 0];
    return policy.length ? diffAugment(x, policy, seed, iteration, call++) : x;
  };
}
