/**
 * Reconstruction losses on [N, C, H, W] images in 0-1, each weighted per pixel by a [N, 1, H, W] map (eyes and
 * mouth count more; with a learned mask, the background counts for nothing). A loss spec is a weighted sum of
 * terms: `ssim:1,mse:1` (faceswap's default pair).
 */
import { Tensor, conv2d, tensor, tidy, keep } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export const LOSS_TERMS = ['mae', 'mse', 'ssim'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];
export type LossSpec = { term: LossTerm; weight: number }[];

/** Parses `ssim:1,mse:1` (or a list of `name[:weight]`) into terms. */
export function parseLossSpec(items: readonly string[]): LossSpec {
  const spec = items.flatMap((s) => s.split(',')).filter(Boolean).map((item) => {
    const [name, w] = item.split(':');
    const weight = w === undefined ? 1 : Number(w);
    if (!(LOSS_TERMS as readonly string[]).includes(name!) || !(weight > 0)) {
      throw new FaceganError(ErrorCodes.BAD_ARGUMENT, `Expected a loss as name[:weight] with name one of ${LOSS_TERMS.join(', ')} and a positive weight, but received "${item}".`);
    }
    return { term: name as LossTerm, weight };
  });
  if (!spec.length) throw new FaceganError(ErrorCodes.BAD_ARGUMENT, `Expected at least one loss term (${LOSS_TERMS.join(', ')}).`);
  return spec;
}

/** Weighted mean of a per-pixel error [N, C, H, W] by weights [N, 1, H, W]. */
function weightedMean(err: Tensor, weights: Tensor): Tensor {
  return tidy(() => err.mean([1], true).mul(weights).sum().div(weights.sum().add(1e-8)));
}

function gaussianWindow(channels: number, size = 11, sigma = 1.5): Tensor {
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma ** 2)));
  const s = g.reduce((a, b) => a + b);
  const k = g.map((v) => v / s);
  const w = k.flatMap((a) => k.map((b) => a * b));
  return tidy(() => tensor(w).reshape(1, 1, size, size).repeat(channels, 1, 1, 1));
}

const windows = new Map<string, Tensor>();

/** 1 - SSIM per pixel ([N, C, H-10, W-10]; 11x11 Gaussian window, sigma 1.5, C1 = 0.01^2, C2 = 0.03^2). */
export function ssimError(x: Tensor, y: Tensor): Tensor {
  const c = x.shape[1]!;
  const key = `${c}:${x.device}:${x.dtype}`;
  let win = windows.get(key);
  if (!win) {
    win = keep(tidy(() => gaussianWindow(c).to({ device: x.device, dtype: x.dtype })));
    windows.set(key, win);
  }
  return tidy(() => {
    const f = (t: Tensor) => conv2d(t, win, null, { groups: c });
    const mx = f(x), my = f(y);
    const sxx = f(x.mul(x)).sub(mx.mul(mx)), syy = f(y.mul(y)).sub(my.mul(my)), sxy = f(x.mul(y)).sub(mx.mul(my));
    const C1 = 0.01 ** 2, C2 = 0.03 ** 2;
    const num = mx.mul(my).mul(2).add(C1).mul(sxy.mul(2).add(C2));
    const den = mx.square().add(my.square()).add(C1).mul(sxx.add(syy).add(C2));
    return num.div(den).neg().add(1);
  });
}

/** The weighted reconstruction loss of `spec` between prediction and target. */
export function reconstructionLoss(pred: Tensor, target: Tensor, weights: Tensor, spec: LossSpec): Tensor {
  return tidy(() => {
    let total: Tensor | undefined;
    for (const { term, weight } of spec) {
      let value: Tensor;
      if (term === 'mae') value = weightedMean(pred.sub(target).abs(), weights);
      else if (term === 'mse') value = weightedMean(pred.sub(target).square(), weights);
      else {
        const h = weights.shape[2]!, w = weights.shape[3]!;
        value = weightedMean(ssimError(pred, target), weights.narrow(2, 5, h - 10).narrow(3, 5, w - 10));
      }
      const scaled = value.mul(weight);
      total = total ? total.add(scaled) : scaled;
    }
    return total!;
  });
}
