/** The CPU crop sampler (core/crop-sample.ts) against grid_sample through warpCrop: the same crops, to float error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyRegion, cropBounds, cropPlanar, cropRgb } from '../core/crop-sample.js';
import { imageToTensor, warpCrop } from './align.js';
import { noGrad, tensor, tidy } from '../engine/index.js';
import type { Affine } from '../core/geometry/umeyama.js';
import type { RgbImage } from '../core/image.js';

const W = 90,
  H = 70;
const image: RgbImage = { width: W, height: H, data: Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 53) % 256) };
// turned, scaled and shifted so that part of the crop falls outside the image (zeros there)
const turn = (angle: number, scale: number, tx: number, ty: number): Affine => [
  [scale * Math.cos(angle), scale * Math.sin(angle), tx],
  [-scale * Math.sin(angle), scale * Math.cos(angle), ty],
];
const worst = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test("cropRgb gives warpCrop's crop, zeros outside the image included; a box computes only its part", () => {
  for (const m of [turn(0.4, 1.3, -20, 10), turn(-1.2, 0.6, 30, 50), turn(0, 1, 0, 0)]) {
    const size = 48;
    const mine = cropRgb(image, m, size);
    const theirs = noGrad(() => tidy(() => warpCrop(imageToTensor(image), m, size).data() as Float32Array));
    assert.ok(worst(mine, theirs) < 1e-5, `within float error (${worst(mine, theirs)})`);
    assert.ok(mine.some((v) => v === 0) || m[0][2] === 0, 'part of the crop is outside the image');
    const part = cropRgb(image, m, size, { x0: 10, y0: 5, w: 20, h: 30 });
    assert.equal(part[5 * size + 10], mine[5 * size + 10]);
    assert.equal(part[0], 0, 'outside the box stays 0');
  }
});

test("cropPlanar gives warpCrop's crop of a planar float image", () => {
  const side = 40,
    src = Float32Array.from({ length: 3 * side * side }, (_, i) => ((i * 29) % 101) / 100);
  const m = turn(0.3, 0.8, 5, -3),
    size = 32;
  const theirs = noGrad(() =>
    tidy(() => warpCrop(tensor(src, { shape: [1, 3, side, side] }), m, size).data() as Float32Array),
  );
  assert.ok(worst(cropPlanar(src, side, m, size), theirs) < 1e-5);
});

test('cropBounds and copyRegion: a region reads the same crop as the whole image, at the edge of the image too', () => {
  const m = turn(0.5, 1.1, -40, 5),
    size = 30;
  const box = cropBounds(image, m, size);
  assert.ok(box.x0 >= 0 && box.y0 >= 0 && box.x0 + box.w <= W && box.y0 + box.h <= H, JSON.stringify(box));
  const region = copyRegion(image, box);
  const shifted: Affine = [
    [m[0][0], m[0][1], m[0][2] + m[0][0] * box.x0 + m[0][1] * box.y0],
    [m[1][0], m[1][1], m[1][2] + m[1][0] * box.x0 + m[1][1] * box.y0],
  ];
  assert.ok(worst(cropRgb(region, shifted, size), cropRgb(image, m, size)) < 1e-6);
});
