/**
 * Aligning a face to faceswap's mean face: a similarity transform (Umeyama) of landmarks 17-67 onto the mean face,
 * then a crop in which the mean face's unit box spans `coverage` of the side, centred. The warp runs on the
 * engine (affine grid + bilinear sampling).
 */
import { composeAffine, invertAffine, umeyama, applyAffine, type Affine } from '../core/geometry/umeyama.js';
import { MEAN_FACE, MEAN_EYES, type Point } from '../core/geometry/meanface.js';
import { copyRegion, cropBounds } from '../core/crop-sample.js';
import type { RgbImage } from '../core/image.js';
import { type Tensor, fromBytes, tensor, tidy, noGrad, affineGrid, gridSample, conv2d } from '../engine/index.js';
import { invalid } from '../core/errors.js';

/** Image pixels -> mean-face units, from 68 landmarks. */
export function alignmentMatrix(landmarks68: readonly Point[]): Affine {
  if (landmarks68.length !== 68) throw invalid('68 landmarks', 'alignmentMatrix', `${landmarks68.length} points`);
  return umeyama(landmarks68.slice(17), MEAN_FACE);
}

/** Mean-face units -> crop pixels, for a crop of `size` whose mean-face box spans `coverage` of it. */
export function unitToCrop(size: number, coverage: number): Affine {
  const c = size * coverage,
    o = (size * (1 - coverage)) / 2;
  return [
    [c, 0, o],
    [0, c, o],
  ];
}

/** Image pixels -> crop pixels. */
export function cropMatrix(alignment: Affine, size: number, coverage: number): Affine {
  return composeAffine(unitToCrop(size, coverage), alignment);
}

/** Where the eye centres land in every aligned crop of this size and coverage. */
export function canonicalEyes(size: number, coverage: number): [Point, Point] {
  const m = unitToCrop(size, coverage);
  return [applyAffine(m, MEAN_EYES[0]), applyAffine(m, MEAN_EYES[1])];
}

/** An RGB image as a float tensor [1, 3, H, W] in [0, 1]. */
export function imageToTensor(image: RgbImage): Tensor {
  return tidy(() =>
    fromBytes(image.data, 'uint8', [image.height, image.width, 3]).permute(2, 0, 1).unsqueeze(0).to('float32').div(255),
  );
}

/** A float tensor [1, 3, H, W] in [0, 1] as an RGB image. */
export function tensorToImage(t: Tensor): RgbImage {
  const [, , height, width] = t.shape as [number, number, number, number];
  const bytes = tidy(
    () => t.squeeze(0).permute(1, 2, 0).mul(255).round().clamp(0, 255).to('uint8').data() as Uint8Array,
  );
  return { width, height, data: bytes };
}

/**
 * Warps the image through `matrix` (image -> crop pixels) into a size x size crop; outside the image is black.
 * `source` is the image as imageToTensor gives it (convert once per frame when cutting several faces).
 */
export function warpCrop(source: Tensor, matrix: Affine, size: number): Tensor {
  return warpAffine(source, matrix, size, size);
}

/** Warps [N, C, H, W] through `matrix` (input -> output pixels) into width x height; outside the input is 0. */
export function warpAffine(source: Tensor, matrix: Affine, width: number, height: number): Tensor {
  const [, c, h, w] = source.shape as [number, number, number, number];
  // affine_grid maps normalised output coordinates to normalised input coordinates (align_corners=false).
  const toPixelsOut: Affine = [
    [width / 2, 0, (width - 1) / 2],
    [0, height / 2, (height - 1) / 2],
  ];
  const toNormIn: Affine = [
    [2 / w, 0, 1 / w - 1],
    [0, 2 / h, 1 / h - 1],
  ];
  const theta = composeAffine(toNormIn, composeAffine(invertAffine(matrix), toPixelsOut));
  return noGrad(() =>
    tidy(() => {
      const grid = affineGrid(tensor([theta.map((r) => [...r])]), [1, c, height, width], false);
      return gridSample(source, grid, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false });
    }),
  );
}

/** Sharpness as the variance of the Laplacian of the grey image (higher is sharper), on a 0-255 scale. */
export function blurScore(crop: Tensor): number {
  return noGrad(() =>
    tidy(() => {
      const grey = crop
        .mul(tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1))
        .sum(1, true)
        .mul(255);
      const lap = conv2d(
        grey,
        tensor([
          [
            [
              [0, 1, 0],
              [1, -4, 1],
              [0, 1, 0],
            ],
          ],
        ]),
      );
      return lap.var().item();
    }),
  );
}

/**
 * The part of an image that a crop through `matrix` (image -> crop pixels) reads, as a float tensor like
 * imageToTensor's, with the offset of its top-left corner: converting only this region is several times cheaper
 * than the whole frame. Compose the alignment with `shiftAffine(alignment, x0, y0)` to use it.
 */
export function faceRegion(image: RgbImage, matrix: Affine, size: number): { tensor: Tensor; x0: number; y0: number } {
  const box = cropBounds(image, matrix, size);
  return { tensor: imageToTensor(copyRegion(image, box)), x0: box.x0, y0: box.y0 };
}

/** `m` for points given relative to (x0, y0): m applied to p + (x0, y0). */
export function shiftAffine(m: Affine, x0: number, y0: number): Affine {
  return composeAffine(m, [
    [1, 0, x0],
    [0, 1, y0],
  ]);
}
