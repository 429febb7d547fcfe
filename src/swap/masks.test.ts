import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearBorder, landmarkMask, refineMask } from './masks.js';
import { MEAN_FACE } from '../core/geometry/meanface.js';
import type { Point } from '../core/geometry/meanface.js';

// a 68-point face in a 128 px crop: the brows-to-chin mean face of 51 points, with a jaw made below it
const S = 128;
const inner = MEAN_FACE.map(([x, y]) => [16 + x * 96, 24 + y * 96] as const);
const jaw = Array.from({ length: 17 }, (_, i) => {
  const t = Math.PI * (i / 16);
  return [64 - 46 * Math.cos(t), 60 + 56 * Math.sin(t)] as const;
});
const face: Point[] = [...jaw, ...inner];
const area = (m: Float32Array) => m.reduce((a, b) => a + b, 0);

test('extended covers the forehead above components; both lie inside the crop', () => {
  const ext = landmarkMask('extended', face, S),
    comp = landmarkMask('components', face, S);
  assert.ok(area(ext) > area(comp), `extended ${area(ext)} > components ${area(comp)}`);
  const browY = Math.min(...face.slice(17, 27).map((p) => p[1]));
  const above = (m: Float32Array) => m.slice(0, Math.floor(browY - 2) * S).reduce((a, b) => a + b, 0);
  assert.ok(above(ext) > 50 && above(comp) === 0, 'only extended reaches above the brows');
  for (let p = 0; p < S * S; p++) assert.ok(comp[p]! <= ext[p]!, 'components lies within extended');
});

test('erode shrinks, a negative erode grows, feather keeps the area and softens the edge', () => {
  const m = landmarkMask('components', face, S);
  assert.ok(area(refineMask(m, S, 0.05, 0)) < area(m) && area(refineMask(m, S, -0.05, 0)) > area(m));
  const soft = refineMask(m, S, 0, 0.1);
  assert.ok(Math.abs(area(soft) - area(m)) / area(m) < 0.05, 'feather keeps the area');
  assert.ok(
    soft.some((v) => v > 0.1 && v < 0.9),
    'feathered values in between',
  );
  const cleared = clearBorder(new Float32Array(S * S).fill(1), S, 5);
  assert.equal(cleared[0], 0);
  assert.equal(cleared[5 * S + 5], 1);
  assert.equal(area(cleared), (S - 10) ** 2);
});
