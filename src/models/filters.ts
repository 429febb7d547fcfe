/**
 * What the image losses and measures share: fixed filter kernels, made once per device and dtype, and the mean of a
 * per-pixel error weighted by a [N, 1, H, W] map.
 */
import { type Tensor, keep, tensor, tidy } from '../engine/index.js';

const kernels = new Map<string, Tensor>();

/** A constant kernel, made once per name, device and dtype (those of `like`) and kept for the process. */
export function constantKernel(name: string, like: Tensor, make: () => Tensor): Tensor {
  const key = `${name}:${like.device}:${like.dtype}`;
  let k = kernels.get(key);
  if (!k) {
    k = keep(tidy(() => make().to({ device: like.device, dtype: like.dtype })));
    kernels.set(key, k);
  }
  return k;
}

/** A size x size Gaussian (its sum 1) for each of `channels` channels, for a grouped conv2d: [C, 1, size, size]. */
export function gaussianWindow(channels: number, size: number, sigma: number): Tensor {
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma ** 2)));
  const s = g.reduce((a, b) => a + b);
  const k = g.map((v) => v / s);
  const w = k.flatMap((a) => k.map((b) => a * b));
  return tidy(() => tensor(w).reshape(1, 1, size, size).repeat(channels, 1, 1, 1));
}

/** Weighted mean of a per-pixel error [N, C, H, W] (averaged over its channels) by weights [N, 1, H, W]. */
export function weightedMean(err: Tensor, weights: Tensor): Tensor {
  return tidy(() => err.mean([1], true).mul(weights).sum().div(weights.sum().add(1e-8)));
}
