/**
 * Reconstruction losses on [N, C, H, W] images in 0-1, each weighted per pixel by a [N, 1, H, W] map (eyes and
 * mouth count more; with a learned mask, the background counts for nothing). A loss spec is a weighted sum of
 * terms: `ssim:1,mse:1` (faceswap's default pair). Two terms ask for sharper detail, as faceswap offers them:
 * `gmsd` (models/detail-losses.ts: the deviation of the gradient magnitudes' similarity) and `lap` (the error in
 * each band of a Laplacian pyramid, the finest counting most).
 */
import { type Tensor, tidy } from '../engine/index.js';
import { ssimError } from '../models/ssim.js';
import { gmsd, laplacianError } from '../models/detail-losses.js';
import { weightedMean } from '../models/filters.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export const LOSS_TERMS = ['mae', 'mse', 'ssim', 'gmsd', 'lap'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];
export type LossSpec = { term: LossTerm; weight: number }[];

/** Parses `ssim:1,mse:1` (or a list of `name[:weight]`) into terms. */
export function parseLossSpec(items: readonly string[]): LossSpec {
  const spec = items
    .flatMap((s) => s.split(','))
    .filter(Boolean)
    .map((item) => {
      const [name, w] = item.split(':');
      const weight = w === undefined ? 1 : Number(w);
      if (!(LOSS_TERMS as readonly string[]).includes(name!) || !(weight > 0)) {
        throw new FaceganError(
          ErrorCodes.BAD_ARGUMENT,
          `Expected a loss as name[:weight] with name one of ${LOSS_TERMS.join(', ')} and a positive weight, ` +
            `but received "${item}".`,
        );
      }
      return { term: name as LossTerm, weight };
    });
  if (!spec.length)
    throw new FaceganError(ErrorCodes.BAD_ARGUMENT, `Expected at least one loss term (${LOSS_TERMS.join(', ')}).`);
  return spec;
}

/** The weighted reconstruction loss of `spec` between prediction and target. */
export function reconstructionLoss(pred: Tensor, target: Tensor, weights: Tensor, spec: LossSpec): Tensor {
  return tidy(() => {
    let total: Tensor | undefined;
    for (const { term, weight } of spec) {
      let value: Tensor;
      if (term === 'mae') value = weightedMean(pred.sub(target).abs(), weights);
      else if (term === 'mse') value = weightedMean(pred.sub(target).square(), weights);
      else if (term === 'gmsd') value = gmsd(pred, target, weights).mean();
      else if (term === 'lap') value = laplacianError(pred, target, weights);
      else {
        const h = weights.shape[2]!,
          w = weights.shape[3]!;
        value = weightedMean(ssimError(pred, target), weights.narrow(2, 5, h - 10).narrow(3, 5, w - 10));
      }
      const scaled = value.mul(weight);
      total = total ? total.add(scaled) : scaled;
    }
    return total!;
  });
}
