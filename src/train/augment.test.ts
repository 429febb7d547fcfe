/** Training samples: geometry of the sampling, the warp, colour jitter and masks, all seeded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  faceColour,
  makeSample,
  sampleMatrix,
  AUGMENT_DEFAULTS,
  NO_AUGMENT,
  type FaceSource,
  type SampleOptions,
} from './augment.js';
import { makeBatch, batchFaces, similarFaces } from './batches.js';
import { applyAffine } from '../core/geometry/umeyama.js';
import { Random } from '../core/random.js';
import { labStats } from '../core/colour-match.js';

/** A 64 px crop: a vertical gradient in red, a horizontal one in green, blue constant. */
function gradientCrop(side = 64): FaceSource {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      data.set([Math.round((y / (side - 1)) * 255), Math.round((x / (side - 1)) * 255), 128], (y * side + x) * 3);
  // a face-like set of landmarks: a ring for the outline, the rest near the centre
  const landmarks = Array.from({ length: 68 }, (_, i) => {
    const a = (i / 17) * Math.PI;
    return i < 17
      ? ([32 + 20 * Math.cos(a + Math.PI), 32 + 20 * Math.sin(a)] as const)
      : ([26 + (i % 12), 24 + Math.floor((i - 17) / 12) * 4] as const);
  });
  return { image: { width: side, height: side, data }, landmarks };
}

const base: SampleOptions = { size: 32, coverage: 1, augment: NO_AUGMENT, eyeWeight: 3, mouthWeight: 2 };

test('without augmentation, a sample is the crop scaled to the model size', () => {
  const s = makeSample(gradientCrop(), base);
  const plane = 32 * 32;
  // pixel (u, v) of the sample looks at crop pixel centre (2u + 1, 2v + 1) -> values between the two source rows
  for (const [u, v] of [
    [0, 0],
    [10, 20],
    [31, 31],
  ] as const) {
    const red = s.target[v * 32 + u]! * 255,
      green = s.target[plane + v * 32 + u]! * 255;
    assert.ok(Math.abs(red - ((2 * v + 0.5) / 63) * 255) < 1.5, `red at ${u},${v}: ${red}`);
    assert.ok(Math.abs(green - ((2 * u + 0.5) / 63) * 255) < 1.5, `green at ${u},${v}: ${green}`);
  }
  assert.deepEqual(s.input, s.target, 'no warp: input equals target');
});

test('the sample matrix maps the centre to the crop centre, and coverage zooms in', () => {
  const m = sampleMatrix(256, { ...base, size: 64, coverage: 0.5 });
  const [x, y] = applyAffine(m, [31.5, 31.5]); // the middle between the two central sample pixels
  assert.ok(Math.abs(x - 128) < 1e-9 && Math.abs(y - 128) < 1e-9);
  assert.ok(Math.abs(m[0][0] - 2) < 1e-12, 'half the 256 crop over 64 pixels is 2 crop pixels a sample pixel');
});

test('augmentation: the warp changes the input only, colour changes both alike, and the same stream repeats', () => {
  const src = gradientCrop();
  const o = { ...base, augment: { ...AUGMENT_DEFAULTS, flip: 0 } };
  const s1 = makeSample(src, o, new Random(1, 2)),
    s2 = makeSample(src, o, new Random(1, 2)),
    s3 = makeSample(src, o, new Random(1, 3));
  assert.deepEqual(s1.input, s2.input);
  assert.deepEqual(s1.target, s2.target);
  assert.notDeepEqual(s1.target, s3.target);
  const diff = s1.input.reduce((s, v, i) => s + Math.abs(v - s1.target[i]!), 0) / s1.input.length;
  assert.ok(diff > 0.005, `warped input differs from the target (mean ${diff})`);
  const warpOnly = makeSample(src, { ...base, augment: { ...NO_AUGMENT, warp: 0.03 } }, new Random(5));
  assert.deepEqual(warpOnly.target, makeSample(src, base).target, 'a warp alone leaves the target as the plain crop');
});

test('masks: the face hull covers the landmarks, eyes and mouth weigh more', () => {
  const s = makeSample(gradientCrop(), base);
  const inside = s.mask[16 * 32 + 16]!,
    corner = s.mask[0]!;
  assert.equal(inside, 1);
  assert.equal(corner, 0);
  assert.ok(s.weights.some((w) => w === 3) && s.weights.some((w) => w === 2) && s.weights.some((w) => w === 1));
  const bare = makeSample({ image: gradientCrop().image }, base);
  assert.ok(
    bare.mask.every((v) => v === 1) && bare.weights.every((w) => w === 1),
    'without landmarks: all face, equal weights',
  );
});

test('batches: the same seed and iteration give the same batch; every face is seen once per epoch', () => {
  const faces = [gradientCrop(), gradientCrop(), gradientCrop()];
  const o = { ...base, augment: AUGMENT_DEFAULTS };
  const b1 = makeBatch(faces, 'a', 7, 4, 42, o),
    b2 = makeBatch(faces, 'a', 7, 4, 42, o),
    b3 = makeBatch(faces, 'a', 7, 4, 43, o);
  assert.deepEqual(b1.input, b2.input);
  assert.deepEqual(b1.faces, b2.faces);
  assert.notDeepEqual(b1.input, b3.input);
  const seen = [0, 1, 2, 3, 4, 5].flatMap((i) => batchFaces(12, 2, 9, 'b', i)).sort((x, y) => x - y);
  assert.deepEqual(
    seen,
    Array.from({ length: 12 }, (_, i) => i),
  );
});

const warpToLandmarksTitle =
  "warp-to-landmarks: the input's features move to the similar face's landmarks, " +
  'the border stays, the target is untouched';
test(warpToLandmarksTitle, () => {
  const crop = gradientCrop(64);
  const o: SampleOptions = { ...base, augment: { ...NO_AUGMENT, warp: 0.03 }, toLandmarks: true };
  const same = makeSample(crop, o, new Random(1), crop.landmarks);
  assert.deepEqual(same.input, same.target, 'the same landmarks: no warp at all');
  const dx = 4; // crop pixels: 2 pixels of the 32 px sample
  const moved = makeSample(
    crop,
    o,
    new Random(1),
    crop.landmarks!.map(([x, y]) => [x + dx, y] as const),
  );
  assert.deepEqual(moved.target, same.target);
  const plane = 32 * 32,
    green = (img: Float32Array, u: number, v: number) => img[plane + v * 32 + u]! * 255;
  const diffs = crop.landmarks!.slice(17).map(([x, y]) => {
    const u = Math.round((x + dx) / 2 - 0.5),
      v = Math.round(y / 2 - 0.5);
    return green(moved.input, u, v) - green(moved.target, u, v);
  });
  const mean = diffs.reduce((a, b) => a + b) / diffs.length;
  // green rises 255/63 a crop pixel: at the new spots the input shows what lay dx pixels to the left
  assert.ok(Math.abs(mean + (dx * 255) / 63) < 3, `mean change at the landmarks: ${mean.toFixed(2)} levels`);
  for (const [u, v] of [
    [0, 0],
    [31, 0],
    [0, 31],
    [31, 31],
    [16, 0],
  ] as const) {
    assert.ok(Math.abs(green(moved.input, u, v) - green(moved.target, u, v)) < 2, `border pixel ${u},${v} stays`);
  }
});

test('warp-to-landmarks in batches: each face is warped toward one of its most similar faces, seeded', () => {
  const faces = [0, 1, 2, 3].map((k) => {
    const f = gradientCrop(64);
    return { image: f.image, landmarks: f.landmarks!.map(([x, y]) => [x + k, y] as const) };
  });
  const o: SampleOptions = { ...base, augment: { ...NO_AUGMENT, warp: 0.03 }, toLandmarks: true };
  const near = similarFaces(faces);
  assert.deepEqual(near[0]!.slice(0, 3), [1, 2, 3], 'nearest landmarks first');
  assert.deepEqual(near[2]!.slice(0, 2).sort(), [1, 3]);
  const a = makeBatch(faces, 'a', 3, 4, 7, o),
    b = makeBatch(faces, 'a', 3, 4, 7, o);
  assert.deepEqual(a.input, b.input, 'the same seed and iteration give the same warps');
  assert.notDeepEqual(a.input, a.target, 'inputs are warped');
});

test('colour transfer: samples take the Lab colour of a face of the other side; at 0 the batches are unchanged', () => {
  const faces = [gradientCrop(), gradientCrop(), gradientCrop()];
  const other = gradientCrop();
  other.image.data.forEach((v, i) => {
    other.image.data[i] = i % 3 === 2 ? 220 : v * 0.35; // darker and bluer
  });
  const plain = { ...base, colourTransfer: 1 };
  const moved = makeBatch(faces, 'a', 2, 3, 5, plain, [other]);
  const want = faceColour(other, plain),
    plane = 32 * 32;
  for (let j = 0; j < 3; j++) {
    const got = labStats(
      moved.target.subarray(j * 3 * plane, (j + 1) * 3 * plane),
      moved.mask.slice(j * plane, (j + 1) * plane),
    );
    for (let c = 0; c < 3; c++) {
      assert.ok(
        Math.abs(got.mean[c]! - want.mean[c]!) < 1,
        `sample ${j} channel ${c}: mean ${got.mean} vs ${want.mean}`,
      );
      assert.ok(
        Math.abs(got.std[c]! - want.std[c]!) < 1.5,
        `sample ${j} channel ${c}: spread ${got.std} vs ${want.std}`,
      );
    }
  }
  assert.deepEqual(moved.input, moved.target); // no warp: the input took the same colour
  const own = faceColour(faces[0]!, plain);
  assert.ok(Math.abs(own.mean[0]! - want.mean[0]!) > 10, 'the two sides differ in lightness to begin with');
  // off: the random streams and so the batches are those of a run without it
  const o = { ...base, augment: AUGMENT_DEFAULTS };
  assert.deepEqual(
    makeBatch(faces, 'a', 4, 3, 5, { ...o, colourTransfer: 0 }, [other]),
    makeBatch(faces, 'a', 4, 3, 5, o),
  );
  const half = makeBatch(faces, 'a', 4, 3, 5, { ...o, colourTransfer: 0.5 }, [other]);
  assert.notDeepEqual(half.target, makeBatch(faces, 'a', 4, 3, 5, o).target);
});
