import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labToRgb, rgbToLab } from './colour.js';
import { convexHull, rasterizePolygon } from './geometry/polygon.js';
import { Random, hashInts } from './random.js';

test('Lab of known colours, and the round trip back to sRGB', () => {
  const cases: [number[], number[]][] = [
    [
      [1, 1, 1],
      [100, 0, 0],
    ],
    [
      [0, 0, 0],
      [0, 0, 0],
    ],
    [
      [1, 0, 0],
      [53.24, 80.09, 67.2],
    ],
    [
      [0, 0, 1],
      [32.3, 79.19, -107.86],
    ],
  ];
  for (const [rgb, lab] of cases) {
    const got = rgbToLab(rgb[0]!, rgb[1]!, rgb[2]!);
    got.forEach((v, i) => assert.ok(Math.abs(v - lab[i]!) < 0.05, `Lab of ${rgb}: ${[...got]} vs ${lab}`));
    const back = labToRgb(got[0]!, got[1]!, got[2]!);
    back.forEach((v, i) => assert.ok(Math.abs(v - rgb[i]!) < 1e-5));
  }
});

test('convex hull drops inner points; rasterising a square fills exactly its pixels', () => {
  const hull = convexHull([
    [0, 0],
    [4, 0],
    [4, 4],
    [0, 4],
    [2, 2],
    [1, 3],
  ]);
  assert.equal(hull.length, 4);
  const m = rasterizePolygon(
    [
      [1, 1],
      [5, 1],
      [5, 4],
      [1, 4],
    ],
    8,
    8,
  );
  assert.equal(
    m.reduce((s, v) => s + v, 0),
    4 * 3,
  );
  assert.equal(m[1 * 8 + 1], 1);
  assert.equal(m[0], 0);
  assert.equal(m[4 * 8 + 4], 0, 'the pixel whose centre lies outside stays empty');
});

test('random streams repeat by name and differ between names', () => {
  const a = new Random(1, 2, 3),
    b = new Random(1, 2, 3),
    c = new Random(1, 2, 4);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.next()),
  );
  assert.notEqual(hashInts(0, 1), hashInts(1, 0));
  const r = new Random(7);
  const n = Array.from({ length: 20000 }, () => r.normal());
  const mean = n.reduce((s, v) => s + v) / n.length,
    sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `normal draws: mean ${mean}, sd ${sd}`);
  assert.deepEqual(new Random(3).permutation(6).sort(), [0, 1, 2, 3, 4, 5]);
});
