/**
 * Two image distances that read fine detail, for training's loss (`--loss ...,gmsd` or `lap`), on [N, C, H, W]
 * images in 0-1 weighted per pixel by [N, 1, H, W] maps:
 * - GMSD (Xue et al. 2014, "Gradient Magnitude Similarity Deviation"): the luminance's gradient magnitudes by
 *   3x3 Prewitt filters, their per-pixel similarity (2 m1 m2 + c) / (m1² + m2² + c) with c = 0.0026 (the paper's
 *   170 for 0-255 images), and the deviation of that map over the image. A blurred face has weaker edges than its
 *   target where the edges are, and the same flat areas: the similarity varies, and the deviation grows.
 * - A Laplacian pyramid error (Lap1, Bojanowski et al. 2018, "Optimizing the Latent Space of Generative
 *   Networks"): the mean absolute error in each band of a pyramid of the difference (a 5x5 Gaussian, sigma 1,
 *   then halving), band i weighted 4^-i (the finest 1), so that it reads mostly the detail a blur loses and
 *   hardly the coarse shade that a plain pixel error is dominated by.
 */
import { type Tensor, avgPool2d, conv2d, pad, tensor, tidy } from '../engine/index.js';
import { constantKernel, gaussianWindow, weightedMean } from './filters.js';

/** GMSD's stability constant for images in 0-1. */
const C = 0.0026;
/** Rec. 601 luma weights: the luminance GMSD reads. */
const LUMA = [0.299, 0.587, 0.114];

/** Prewitt's horizontal and vertical filters, each over 3 pixels: [2, 1, 3, 3]. */
function prewitt(): Tensor {
  const x = [1, 0, -1, 1, 0, -1, 1, 0, -1].map((v) => v / 3);
  const y = [1, 1, 1, 0, 0, 0, -1, -1, -1].map((v) => v / 3);
  return tensor([...x, ...y]).reshape(2, 1, 3, 3);
}

/** Weighted mean over each image: [N, 1, H, W] values by [N, 1, H, W] weights -> [N]. */
function imageMean(v: Tensor, w: Tensor, wSum: Tensor): Tensor {
  return v.mul(w).sum([1, 2, 3]).div(wSum);
}

/** Each image pair's GMSD: [N], 0 for identical images, larger for a blurred or broken one. */
export function gmsd(x: Tensor, y: Tensor, weights: Tensor): Tensor {
  return tidy(() => {
    const luma = constantKernel('gmsd-luma', x, () => tensor(LUMA).reshape(1, 3, 1, 1));
    const filters = constantKernel('prewitt', x, prewitt);
    const magnitude = (img: Tensor) =>
      conv2d(img.mul(luma).sum([1], true), filters)
        .square()
        .sum([1], true)
        .add(1e-12)
        .sqrt();
    const m1 = magnitude(x),
      m2 = magnitude(y);
    const similarity = m1.mul(m2).mul(2).add(C).div(m1.square().add(m2.square()).add(C));
    const [h, w] = [weights.shape[2]!, weights.shape[3]!];
    const inner = weights.narrow(2, 1, h - 2).narrow(3, 1, w - 2);
    const wSum = inner.sum([1, 2, 3]).add(1e-8);
    const mean = imageMean(similarity, inner, wSum).reshape(-1, 1, 1, 1);
    return imageMean(similarity.sub(mean).square(), inner, wSum).add(1e-10).sqrt();
  });
}

/** Bands of the pyramid: one per size down to 8 pixels a side, halving each time, at most 5 (64 px: 4). */
function bandCount(size: number): number {
  let n = 1;
  while (n < 5 && size / 2 ** n >= 8) n++;
  return n;
}

/**
 * The Laplacian pyramid error between images, weighted: each band's weighted mean absolute difference (the last
 * band: what is left at the coarsest size), band i weighted 4^-i, over the sum of those weights. One scalar.
 */
export function laplacianError(x: Tensor, y: Tensor, weights: Tensor): Tensor {
  return tidy(() => {
    const channels = x.shape[1]!;
    const blur = constantKernel(`pyramid-gauss-${channels}`, x, () => gaussianWindow(channels, 5, 1));
    const bands = bandCount(Math.min(x.shape[2]!, x.shape[3]!));
    // the pyramid is linear, so the difference's pyramid is the pyramids' difference
    let d = x.sub(y),
      w = weights;
    let total: Tensor | undefined,
      norm = 0;
    for (let i = 0; i < bands; i++) {
      const smooth = conv2d(pad(d, [2, 2, 2, 2], 'reflect'), blur, null, { groups: channels });
      const band = i < bands - 1 ? d.sub(smooth) : d;
      const term = weightedMean(band.abs(), w).mul(4 ** -i);
      norm += 4 ** -i;
      total = total ? total.add(term) : term;
      if (i < bands - 1) [d, w] = [avgPool2d(smooth, 2), avgPool2d(w, 2)];
    }
    return total!.div(norm);
  });
}
