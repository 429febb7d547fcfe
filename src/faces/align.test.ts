import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alignmentMatrix,
  cropMatrix,
  canonicalEyes,
  warpCrop,
  imageToTensor,
  tensorToImage,
  blurScore,
} from './align.js';
import { MEAN_FACE, MEAN_EYES, type Point } from '../core/geometry/meanface.js';
import { applyAffine, type Affine } from '../core/geometry/umeyama.js';
import { tidy, interpolate, rand } from '../engine/index.js';
import { assertClose } from '../testing/assert.js';

/** 68 landmarks whose points 17-67 are the mean face placed by `m` (the jaw is arbitrary). */
const placed = (m: Affine): Point[] => [
  ...Array.from({ length: 17 }, (_, i) => [i, 100] as Point),
  ...MEAN_FACE.map((p) => applyAffine(m, p)),
];

test('a face placed by a known transform aligns back onto the canonical eye spots', () => {
  const place: Affine = [
    [0, -120, 300],
    [120, 0, 80],
  ]; // rotated 90 degrees, 120 px, somewhere in a frame
  const crop = cropMatrix(alignmentMatrix(placed(place)), 256, 0.625);
  const [left, right] = canonicalEyes(256, 0.625);
  assertClose([...applyAffine(crop, applyAffine(place, MEAN_EYES[0]))], [...left], 1e-9);
  assertClose([...applyAffine(crop, applyAffine(place, MEAN_EYES[1]))], [...right], 1e-9);
  // hand check: eyes sit 0.625 * 256 * (eye offset) + 48 px from the crop's corner
  assertClose(left[1], 48 + 160 * MEAN_EYES[0][1], 1e-9);
});

test('warpCrop moves a pixel where the matrix says', () => {
  // a 20x10 image, black but one white pixel at (x=13, y=4)
  const data = new Uint8Array(20 * 10 * 3);
  data.set([255, 255, 255], (4 * 20 + 13) * 3);
  const src = imageToTensor({ width: 20, height: 10, data });
  const crop = tensorToImage(
    warpCrop(
      src,
      [
        [1, 0, -10],
        [0, 1, 0],
      ],
      8,
    ),
  ); // shift left by 10
  const at = (x: number, y: number) => crop.data[(y * 8 + x) * 3]!;
  assert.equal(at(3, 4), 255);
  assert.equal(at(2, 4), 0);
  assert.equal(crop.width, 8);
});

test('blur score: a sharp image scores higher than a blurred copy of it', () => {
  tidy(() => {
    const sharp = rand([1, 3, 64, 64]);
    const blurred = interpolate(interpolate(sharp, { size: [16, 16], mode: 'bilinear' }), {
      size: [64, 64],
      mode: 'bilinear',
    });
    assert.ok(blurScore(sharp) > 10 * blurScore(blurred));
  });
});
