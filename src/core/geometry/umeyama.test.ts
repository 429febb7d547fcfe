import { test } from 'node:test';
import assert from 'node:assert/strict';
import { umeyama, applyAffine, invertAffine, composeAffine, similarityParts, type Affine } from './umeyama.js';
import { MEAN_FACE, MEAN_EYES } from './meanface.js';
import { assertClose } from '../../testing/assert.js';

const rot = (deg: number, s: number, tx: number, ty: number): Affine => {
  const r = (deg * Math.PI) / 180;
  return [
    [s * Math.cos(r), -s * Math.sin(r), tx],
    [s * Math.sin(r), s * Math.cos(r), ty],
  ];
};

test('recovers a known similarity exactly, for any rotation including upside down', () => {
  for (const deg of [0, 30, 90, 180, -135]) {
    const m = rot(deg, 2.5, 10, -4);
    const src = MEAN_FACE;
    const dst = src.map((p) => applyAffine(m, p));
    const est = umeyama(src, dst);
    assertClose(est.flat(), m.flat(), 1e-9, `rotation ${deg}`);
    assertClose(similarityParts(est).rotationDeg, deg === 180 ? 180 : deg, 1e-9);
  }
});

test('hand-checked case: two points, the least-squares fit with noise', () => {
  // (0,0)->(1,1) and (1,0)->(1,3): rotation 90 degrees, scale 2, translation (1,1)
  assertClose(
    umeyama(
      [
        [0, 0],
        [1, 0],
      ],
      [
        [1, 1],
        [1, 3],
      ],
    ).flat(),
    [0, -2, 1, 2, 0, 1],
    1e-12,
  );
  // a symmetric perturbation leaves the fit unchanged
  const est = umeyama(
    [
      [0, 0],
      [2, 0],
      [0, 2],
      [2, 2],
    ],
    [
      [0, 0.1],
      [2, -0.1],
      [0, 1.9],
      [2, 2.1],
    ],
  );
  assertClose(est[0][0], 1, 0.03);
});

test('inverse and composition', () => {
  const m = rot(37, 1.7, 3, 9);
  const id = composeAffine(invertAffine(m), m);
  assertClose(id.flat(), [1, 0, 0, 0, 1, 0], 1e-12);
  assertClose([...applyAffine(invertAffine(m), applyAffine(m, [5, -2]))], [5, -2], 1e-12);
});

test('mean face: 51 points in the unit box, eyes level and symmetric', () => {
  assert.equal(MEAN_FACE.length, 51);
  assert.ok(MEAN_FACE.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1));
  assertClose(MEAN_EYES[0][1], MEAN_EYES[1][1], 1e-6);
  assertClose(MEAN_EYES[0][0] + MEAN_EYES[1][0], 2 * 0.490127, 1e-3);
});

test('refuses unequal or degenerate point sets', () => {
  assert.throws(
    () =>
      umeyama(
        [[0, 0]],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    /same length/,
  );
  assert.throws(
    () =>
      umeyama(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    /not all equal/,
  );
});
