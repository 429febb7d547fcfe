/** The detail losses on real faces: zero for a face against itself, blind to a change of shade, and trainable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import sharp from 'sharp';
import { Adam, cat, ones, tensor, tidy, type Tensor } from '../engine/index.js';
import { gmsd, laplacianError } from './detail-losses.js';
import { parseLossSpec, reconstructionLoss } from '../train/losses.js';
import { sharedData } from '../testing/data.js';

const SIZE = 64;

/** The first `count` shared faces of a person, at SIZE px, with an optional Gaussian blur: [N, 3, S, S] in 0-1. */
async function faces(person: string, count: number, blur?: number): Promise<Tensor> {
  const files = readdirSync(sharedData('faces', person)).sort().slice(0, count);
  const planes = new Float32Array(count * 3 * SIZE * SIZE);
  for (const [i, f] of files.entries()) {
    let img = sharp(sharedData('faces', person, f))
      .resize(SIZE, SIZE, { fit: 'cover' })
      .removeAlpha();
    if (blur) img = img.blur(blur);
    const rgb = await img.raw().toBuffer();
    for (let p = 0; p < SIZE * SIZE; p++)
      for (let c = 0; c < 3; c++) planes[(i * 3 + c) * SIZE * SIZE + p] = rgb[p * 3 + c]! / 255;
  }
  return tensor(planes, { shape: [count, 3, SIZE, SIZE] });
}

const even = (n: number) => ones([n, 1, SIZE, SIZE]);

test('gmsd and the Laplacian error: 0 for a face against itself, above it for the face blurred', async () => {
  const x = await faces('grid_s1', 4);
  const blurred = await faces('grid_s1', 4, 1.5);
  const w = even(4);
  const self = gmsd(x, x, w).toNumbers();
  for (const v of self) assert.ok(v < 1e-4, `gmsd of a face against itself: ${v}`);
  assert.ok(laplacianError(x, x, w).item() < 1e-7);
  for (const v of gmsd(blurred, x, w).toNumbers()) assert.ok(v > 0.05, `gmsd of a blurred face: ${v}`);
  assert.ok(laplacianError(blurred, x, w).item() > 0.005);
});

test('gmsd does not see a uniform change of brightness; the Laplacian error reads it far less than blur', async () => {
  const x = await faces('obama', 4);
  const blurred = await faces('obama', 4, 1.5);
  const brighter = tidy(() => x.add(0.05));
  const w = even(4);
  const shift = gmsd(brighter, x, w).mean().item();
  const blur = gmsd(blurred, x, w).mean().item();
  assert.ok(shift < 0.2 * blur, `gmsd: brightness ${shift} against blur ${blur}`);
  // against a plain mean absolute error, the pyramid's weighs the blur more than the change of brightness
  const mae = (a: Tensor) => a.sub(x).abs().mean().item();
  const lapShift = laplacianError(brighter, x, w).item() / mae(brighter);
  const lapBlur = laplacianError(blurred, x, w).item() / mae(blurred);
  assert.ok(lapBlur > 5 * lapShift, `Laplacian error over mae: blur ${lapBlur}, brightness ${lapShift}`);
});

test('the detail losses count only the weighted pixels', async () => {
  const x = await faces('grid_s2', 2);
  const other = await faces('obama', 2);
  // the other face on the left 16 columns, weights 0 on the left 32
  const mixed = tidy(() => cat([other.narrow(3, 0, 16), x.narrow(3, 16, SIZE - 16)], 3));
  const right = tidy(() => cat([even(2).narrow(3, 0, 32).mul(0), even(2).narrow(3, 32, 32)], 3));
  assert.ok(gmsd(mixed, x, even(2)).mean().item() > 0.05);
  assert.ok(gmsd(mixed, x, right).mean().item() < 1e-4);
  assert.ok(laplacianError(mixed, x, even(2)).item() > 0.01);
  assert.ok(laplacianError(mixed, x, right).item() < 1e-6, `${laplacianError(mixed, x, right).item()}`);
});

test('as loss terms: parsed by name, and their gradient sharpens a blurred face', async () => {
  const spec = parseLossSpec(['gmsd:2,lap']);
  assert.deepEqual(spec, [
    { term: 'gmsd', weight: 2 },
    { term: 'lap', weight: 1 },
  ]);
  assert.throws(() => parseLossSpec(['gmds']), /one of mae, mse, ssim, gmsd, lap/);
  const x = await faces('grid_s1', 2);
  const pred = (await faces('grid_s1', 2, 1.5)).requiresGrad_(true);
  const w = even(2);
  const loss = () => reconstructionLoss(pred, x, w, spec);
  const expected = gmsd(pred, x, w).mean().item() * 2 + laplacianError(pred, x, w).item();
  const before = loss().item();
  assert.ok(Math.abs(before - expected) < 1e-5, `${before} against ${expected}`);
  const opt = new Adam([pred], { lr: 0.01 });
  for (let i = 0; i < 30; i++) {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    opt.step();
    l.dispose();
  }
  const after = loss().item();
  assert.ok(Number.isFinite(after) && after < 0.5 * before, `loss ${before} -> ${after}`);
});
