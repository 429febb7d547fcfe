/** train --load-weights: a new pair model starts from parts of a trained one, and refuses what cannot fit. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { train, type TrainOptions } from './trainer.js';
import { ModelFolder } from './core/model-folder.js';
import { dispose, loadSafetensors, tidy, type Tensor } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

let A = '',
  B = '',
  source = '';
const quick = (modelDir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  a: A,
  b: B,
  modelDir,
  model: 'lightweight',
  batchSize: 4,
  iterations: 10,
  saveEvery: 10,
  previewEvery: 10,
  ...extra,
});

before(async () => {
  [A, B] = [await extractedFaces('grid_s1', 6), await extractedFaces('grid_s2', 6)];
  source = join(testTmp(), 'source');
  await train(quick(source, { iterations: 2, saveEvery: 2, previewEvery: 2 }));
});

/**
 * The largest difference between two weight files over the tensors whose names start with `prefix` in the first, each
 * against the tensor of the same name in the second with `prefixB` for `prefix` (the same part unless given).
 */
function maxDiff(fileA: string, fileB: string, prefix: string, prefixB = prefix): number {
  const [x, y] = [loadSafetensors(fileA).tensors, loadSafetensors(fileB).tensors];
  try {
    const names = [...x.keys()].filter((k) => k.startsWith(prefix));
    assert.ok(names.length > 0, `no tensors named ${prefix}*`);
    const other = (k: string) => y.get(prefixB + k.slice(prefix.length))!;
    return Math.max(...names.map((k) => tidy(() => (x.get(k) as Tensor).sub(other(k)).abs().amax().item())));
  } finally {
    dispose(x);
    dispose(y);
  }
}

test('--load-weights: a new model starts from the trained encoder (averaged weights), its own decoders', async () => {
  const dir = join(testTmp(), 'from-encoder');
  // another seed: decoders of its own differ from the source's everywhere; lr 1e-7: one step barely moves a weight
  const s = await train(quick(dir, { seed: 1, iterations: 1, lr: 1e-7, loadWeights: source }));
  assert.deepEqual(s.warnings, []);
  const src = join(source, 'ema.safetensors');
  for (const file of ['model.safetensors', 'ema.safetensors']) {
    const mine = join(dir, file);
    assert.ok(maxDiff(mine, src, 'enc.') < 1e-4, `${file}: the encoder is the source's`);
    assert.ok(maxDiff(mine, src, 'dec_a.') > 0.01, `${file}: decoder A is its own`);
    assert.ok(maxDiff(mine, src, 'dec_b.') > 0.01, `${file}: decoder B is its own`);
  }
  const state = new ModelFolder(dir).readState();
  assert.deepEqual(state.pretrained, { from: source, parts: ['encoder'], iteration: 2 });
  assert.deepEqual(s.pretrained, state.pretrained);
});

test('--load-parts encoder,decoder-b also lends decoder B, for a new person against the same one', async () => {
  const dir = join(testTmp(), 'from-b');
  await train(quick(dir, { seed: 1, iterations: 1, lr: 1e-7, loadWeights: source, loadParts: ['encoder,decoder-b'] }));
  const [mine, src] = [join(dir, 'model.safetensors'), join(source, 'ema.safetensors')];
  assert.ok(maxDiff(mine, src, 'enc.') < 1e-4);
  assert.ok(maxDiff(mine, src, 'dec_b.') < 1e-4);
  assert.ok(maxDiff(mine, src, 'dec_a.') > 0.01);
});

test('--load-parts decoder-a:decoder-b lends the trained A decoder as B (its person on this B side)', async () => {
  const dir = join(testTmp(), 'a-as-b');
  await train(
    quick(dir, { seed: 1, iterations: 1, lr: 1e-7, loadWeights: source, loadParts: ['decoder-a:decoder-b'] }),
  );
  const [mine, src] = [join(dir, 'model.safetensors'), join(source, 'ema.safetensors')];
  assert.ok(maxDiff(mine, src, 'dec_b.', 'dec_a.') < 1e-4, "decoder B is the source's decoder A");
  assert.ok(maxDiff(mine, src, 'dec_b.') > 0.01, "not the source's own B");
  assert.ok(maxDiff(mine, src, 'enc.') > 0.01, 'the encoder is its own');
  assert.deepEqual(new ModelFolder(dir).readState().pretrained?.parts, ['decoder-a:decoder-b']);
});

test('resumed, a folder keeps its own weights and says that --load-weights was left out', async () => {
  const dir = join(testTmp(), 'resumed');
  await train(quick(dir, { seed: 1, iterations: 2 }));
  const s = await train(quick(dir, { iterations: 3, lr: 1e-7, loadWeights: source }));
  assert.equal(s.iteration, 3);
  assert.match(s.warnings.join('\n'), /--load-weights left out: .* already holds a model \(iteration 2\)/);
  assert.ok(maxDiff(join(dir, 'model.safetensors'), join(source, 'ema.safetensors'), 'enc.') > 0.01);
  assert.equal(new ModelFolder(dir).readState().pretrained, undefined);
});

test('--load-weights refuses another model type, an unknown part or no model there, writing nothing', async () => {
  const refused = async (extra: Partial<TrainOptions>, code: string, message: RegExp) => {
    const dir = join(testTmp(), `refused-${Math.random().toString(36).slice(2)}`);
    await assert.rejects(train(quick(dir, { iterations: 1, ...extra })), (e: unknown) => {
      assert.ok(e instanceof FaceganError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    });
    assert.equal(existsSync(dir), false, 'the new model folder is left unmade');
  };
  await refused({ model: 'original', loadWeights: source }, ErrorCodes.USAGE, /holds a lightweight model.*--model/);
  await refused(
    { loadWeights: source, loadParts: ['decoder-c'] },
    ErrorCodes.USAGE,
    /--load-parts takes encoder, decoder-a, decoder-b .*not "decoder-c"/,
  );
  await refused({ loadWeights: source, loadParts: ['decoder-a:decoder-c'] }, ErrorCodes.USAGE, /FROM:TO/);
  await refused(
    { loadWeights: source, loadParts: ['decoder-b,decoder-a:decoder-b'] },
    ErrorCodes.USAGE,
    /decoder-b twice/,
  );
  await refused({ loadWeights: A }, ErrorCodes.BAD_MODEL, /no trained model there/);
});
