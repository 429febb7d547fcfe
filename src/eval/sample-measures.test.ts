/** The sample measures: each against a case whose answer is known, and KID on real faces' descriptors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Random } from '../core/random.js';
import { extractedFaces } from '../testing/faces.js';
import { faceFileNames, readFaceCropOrSkip } from '../faces/crop-file.js';
import {
  diversity,
  frechetDistance,
  kid,
  median,
  nearestDistances,
  precisionRecall,
  symmetricEigen,
} from './sample-measures.js';

const gaussian = (n: number, d: number, seed: number, shift = 0) => {
  const r = new Random(seed, 0x6a);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => r.normal() + shift));
};

test('the eigen-decomposition rebuilds its symmetric matrix', () => {
  const r = new Random(1),
    n = 6;
  const b = Array.from({ length: n }, () => Array.from({ length: n }, () => r.normal()));
  const a = b.map((row, i) => row.map((v, j) => v + b[j]![i]!));
  const { values, vectors } = symmetricEigen(a);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const rebuilt = values.reduce((s, l, k) => s + vectors[i]![k]! * l * vectors[j]![k]!, 0);
      assert.ok(Math.abs(rebuilt - a[i]![j]!) < 1e-9, `(${i}, ${j})`);
    }
  }
});

test('FD: zero for one set, |shift|^2 for a shifted copy', () => {
  const x = gaussian(200, 4, 2);
  assert.ok(Math.abs(frechetDistance(x, x)) < 1e-6);
  const shifted = x.map((row) => row.map((v) => v + 0.5));
  assert.ok(Math.abs(frechetDistance(x, shifted) - 4 * 0.25) < 1e-6, 'same covariance, means 0.5 apart in 4 dims');
});

test('KID: about 0 between two draws of one distribution, clearly above for another', () => {
  const a = gaussian(120, 8, 3),
    b = gaussian(120, 8, 4),
    c = gaussian(120, 8, 5, 0.7);
  const same = kid(a, b, { subsets: 20, size: 60 }),
    other = kid(a, c, { subsets: 20, size: 60 });
  assert.ok(Math.abs(same.mean) < 3 * same.std + 0.01, `same ${same.mean} +- ${same.std}`);
  assert.ok(other.mean > 10 * Math.max(Math.abs(same.mean), same.std), `other ${other.mean} against ${same.mean}`);
});

test('precision and recall, diversity and nearest distances on known layouts', () => {
  const reals = gaussian(60, 3, 6);
  assert.deepEqual(precisionRecall(reals, reals), { precision: 1, recall: 1 });
  const far = gaussian(60, 3, 7, 50);
  assert.deepEqual(precisionRecall(far, reals), { precision: 0, recall: 0 });
  // samples all at one real point: precise, but they cover almost none of the reals
  const collapsed = Array.from({ length: 60 }, () => [...reals[0]!]);
  const pr = precisionRecall(collapsed, reals);
  assert.equal(pr.precision, 1);
  assert.ok(pr.recall < 0.2, `recall ${pr.recall}`);
  assert.equal(diversity(collapsed), 0);
  assert.ok(diversity(reals) > 1);
  assert.deepEqual(
    nearestDistances(
      [[0, 0, 0]],
      [
        [3, 4, 0],
        [0, 0, 1],
      ],
    ),
    [1],
  );
  assert.equal(median([3, 1, 2]), 2);
});

test("KID on real faces' descriptors: one person's two halves about 0, another person clearly above", async () => {
  const descriptors = async (name: string, count: number) => {
    const dir = await extractedFaces(name, count);
    const out: number[][] = [];
    for (const f of faceFileNames(dir)) {
      const id = (await readFaceCropOrSkip(join(dir, f), []))?.record?.face.identity;
      if (id?.length) out.push([...id]);
    }
    return out;
  };
  // Obama's 64 faces are the expression probe's fixture: one extraction for the suite
  const s1 = await descriptors('grid_s1', 24),
    obama = await descriptors('obama', 64);
  assert.ok(s1.length >= 20 && obama.length >= 20, `${s1.length} and ${obama.length} faces`);
  const halves = kid(
    s1.filter((_, i) => i % 2 === 0),
    s1.filter((_, i) => i % 2 === 1),
    { subsets: 20, size: 10 },
  );
  const others = kid(s1, obama, { subsets: 20, size: 10 });
  assert.ok(others.mean > 5 * Math.max(Math.abs(halves.mean), 1e-4), `s1/s1 ${halves.mean}, s1/obama ${others.mean}`);
});
