/** StyleGAN through `train`: one folder, its files, the preview, exact resume, and the folder count checked. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { extractedFaces, testTmp } from '../../testing/faces.js';
import { TINY_STYLEGAN } from '../../testing/stylegan.js';
import { train, type TrainOptions } from '../trainer.js';
import { ModelFolder } from '../core/model-folder.js';
import { loadSafetensors } from '../../engine/index.js';
import { ErrorCodes, type FaceganError } from '../../core/errors.js';
import { loadTrainedModel } from '../../models/trained.js';

let faces = '';
before(async () => {
  faces = await extractedFaces('grid_s1', 8);
});

const tiny = (modelDir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  a: faces,
  modelDir,
  ...TINY_STYLEGAN,
  iterations: 6,
  saveEvery: 3,
  previewEvery: 3,
  logEvery: 1,
  r1Interval: 2,
  ...extra,
});

test('stylegan trains on one folder: weights of G, D and the EMA, optimizers for G and D, a seed grid', async () => {
  const dir = join(testTmp(), 'sg-whole');
  const s = await train(tiny(dir, { snapshotEvery: 6 }));
  assert.equal(s.iteration, 6);
  // a snapshot keeps what outputs are made with: the EMA generator, not the raw G
  const snap = readFileSync(join(dir, 'snapshots', '0000006.safetensors'));
  assert.ok(snap.equals(readFileSync(join(dir, 'ema.safetensors'))), 'the snapshot is the EMA');
  assert.ok(!snap.equals(readFileSync(join(dir, 'model.safetensors'))));
  for (const f of ['model', 'disc', 'ema']) assert.ok(existsSync(join(dir, `${f}.safetensors`)), `${f} weights`);
  assert.ok(existsSync(join(dir, 'disc-optimizer.safetensors')));
  assert.ok(!existsSync(join(dir, 'ema-optimizer.safetensors')), 'the EMA has no optimizer');
  const log = new ModelFolder(dir).readLog();
  assert.ok(log.every((e) => Number.isFinite(e.lossG) && Number.isFinite(e.lossD)));
  assert.ok(log.filter((e) => e.r1 !== undefined).length === 3, 'R1 every 2nd iteration');
  const grid = await sharp(join(dir, 'previews', 'preview.png')).metadata();
  assert.ok(grid.width! >= 4 * 32 && grid.height! >= 4 * 32, `a 4 x 4 grid (${grid.width} x ${grid.height})`);
  assert.throws(
    () => loadTrainedModel(dir),
    (e: FaceganError) => e.code === ErrorCodes.USAGE && /facegan generate/.test(e.message),
  );
});

test('a resumed stylegan run gives the weights of an uninterrupted one', async () => {
  const whole = join(testTmp(), 'sg-whole'),
    parts = join(testTmp(), 'sg-parts');
  await train(tiny(parts, { iterations: 3 }));
  const second = await train(tiny(parts, { iterations: 6 }));
  assert.equal(second.startIteration, 3);
  for (const f of ['model', 'disc', 'ema']) {
    const a = loadSafetensors(join(whole, `${f}.safetensors`)).tensors,
      b = loadSafetensors(join(parts, `${f}.safetensors`)).tensors;
    for (const [name, t] of a) assert.deepEqual(b.get(name)!.toNumbers(), t.toNumbers(), `${f} ${name}`);
  }
});

test('the folders a model needs: StyleGAN one, the others two, each refusal saying what to give', async () => {
  const dir = join(testTmp(), 'sg-refused');
  await assert.rejects(
    train(tiny(dir, { b: faces })),
    (e: FaceganError) => e.code === ErrorCodes.USAGE && /-i FOLDER, without -B/.test(e.message),
  );
  await assert.rejects(
    train({ a: faces, modelDir: dir, model: 'lightweight' }),
    (e: FaceganError) => e.code === ErrorCodes.USAGE && /-A FOLDER and -B FOLDER/.test(e.message),
  );
  assert.ok(!existsSync(join(dir, 'config.json')), 'nothing written');
});
