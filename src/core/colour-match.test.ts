import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avgColour, colourTransfer, matchHistogram, meanColour } from './colour-match.js';
import { seamlessClone } from './poisson.js';
import { rgbToLab } from './colour.js';
import { Random } from './random.js';

const N = 32,
  plane = N * N;
function image(fn: (x: number, y: number, c: number) => number): Float32Array {
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) out[c * plane + y * N + x] = fn(x, y, c);
  return out;
}
const rng = new Random(3);
const face = image((x, y, c) => 0.3 + 0.2 * Math.sin(x / 4 + c) * Math.cos(y / 5) + 0.02 * rng.normal());
const target = image((x, y, c) => 0.55 + 0.1 * c + 0.1 * Math.cos(x / 3 - y / 7));
const circle = Float32Array.from({ length: plane }, (_, p) =>
  Math.hypot((p % N) - 15.5, Math.floor(p / N) - 15.5) < 10 ? 1 : 0,
);

test("avg-color: the mean under the mask becomes the target's", () => {
  const out = avgColour(face, target, circle);
  meanColour(out, circle).forEach((v, c) =>
    assert.ok(Math.abs(v - meanColour(target, circle)[c]!) < 1e-4, `channel ${c}`),
  );
});

test("color-transfer: Lab mean and spread under the mask move to the target's", () => {
  const out = colourTransfer(face, target, circle);
  const stats = (img: Float32Array) => {
    const lab = [0, 1, 2].map(() => [] as number[]);
    for (let p = 0; p < plane; p++)
      if (circle[p]) rgbToLab(img[p]!, img[plane + p]!, img[2 * plane + p]!).forEach((v, c) => lab[c]!.push(v));
    return lab.map((xs) => {
      const m = xs.reduce((a, b) => a + b) / xs.length;
      return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length)];
    });
  };
  const got = stats(out),
    want = stats(target);
  got.forEach(([m, s], c) => {
    assert.ok(Math.abs(m! - want[c]![0]!) < 0.5, `mean of Lab channel ${c}: ${m} vs ${want[c]![0]}`);
    assert.ok(Math.abs(s! - want[c]![1]!) < 0.5, `spread of Lab channel ${c}: ${s} vs ${want[c]![1]}`);
  });
});

test("match-hist: the channel quantiles under the mask follow the target's", () => {
  const out = matchHistogram(face, target, circle);
  const q = (img: Float32Array, c: number, at: number) => {
    const xs = [...Array(plane).keys()]
      .filter((p) => circle[p])
      .map((p) => img[c * plane + p]!)
      .sort((a, b) => a - b);
    return xs[Math.floor(at * (xs.length - 1))]!;
  };
  for (const at of [0.1, 0.5, 0.9])
    for (let c = 0; c < 3; c++)
      assert.ok(Math.abs(q(out, c, at) - q(target, c, at)) < 0.02, `quantile ${at} of channel ${c}`);
});

test('seamless: a face that differs by a constant comes back as the target; outside the mask is the target', () => {
  const shifted = Float32Array.from(target, (v) => v - 0.2);
  const out = seamlessClone(shifted, target, circle, N, N);
  let worst = 0;
  for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - target[i]!));
  assert.ok(worst < 5e-3, `largest difference ${worst}`);
  const other = seamlessClone(face, target, circle, N, N);
  for (let p = 0; p < plane; p++) if (!circle[p]) assert.equal(other[p], target[p]);
});

test("seamless keeps the face's detail: inside the mask the Laplacian is the face's", () => {
  const out = seamlessClone(face, target, circle, N, N);
  const lap = (img: Float32Array, p: number) => img[p - 1]! + img[p + 1]! + img[p - N]! + img[p + N]! - 4 * img[p]!;
  let err = 0,
    size = 0,
    n = 0;
  for (let p = N + 1; p < plane - N - 1; p++) {
    if (!circle[p] || !circle[p - 1] || !circle[p + 1] || !circle[p - N] || !circle[p + N]) continue;
    err += Math.abs(lap(out, p) - lap(face, p));
    size += Math.abs(lap(face, p));
    n++;
  }
  assert.ok(err / n < 0.05 * (size / n), `mean Laplacian error ${err / n} against a mean Laplacian of ${size / n}`);
});
