/** The model's own thread: it loads what the main thread would, answers batches, and fails with clear errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { testTmp } from '../testing/faces.js';
import { tinySwapModel } from '../testing/swap-model.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { loadTrainedModel } from '../models/trained.js';
import { tensor } from '../engine/index.js';
import { forwardModel, type PreparedFace } from './swap.js';
import { ModelThread } from './model-thread.js';

test('the thread gives what the model gives here, survives a bad batch, and refuses a folder without a model', {
  timeout: 300_000,
}, async () => {
  const tmp = testTmp();
  const model = await tinySwapModel(join(tmp, 'model'));
  const S = 64;
  const pixels = Float32Array.from({ length: 2 * 3 * S * S }, (_, i) => (i % 251) / 251);
  const faces = [0, 1].map((k) => ({ pixels: pixels.slice(k * 3 * S * S, (k + 1) * 3 * S * S) }) as PreparedFace);
  const here = loadTrainedModel(model);
  const expected = forwardModel(here, tensor(pixels, { shape: [2, 3, S, S] }), {
    decoder: 'b',
    bf16: false,
    device: 'cpu',
  });
  const thread = await ModelThread.open({ modelDir: model, device: 'cpu', bf16: false });
  try {
    const ys = await thread.run(faces, 'b');
    assert.equal(ys.length, 2);
    ys.forEach((y, k) => {
      assert.deepEqual(y.shape, [1, 3, S, S]);
      assert.deepEqual(y.data(), expected.narrow(0, k, 1).contiguous().data(), `face ${k}: the same output`);
    });
    const bad = [{ pixels: new Float32Array(5) } as PreparedFace];
    await assert.rejects(thread.run(bad, 'b'), (e: FaceganError) => e instanceof FaceganError, 'a clear error');
    const again = await thread.run(faces.slice(0, 1), 'a');
    assert.deepEqual(again[0]!.shape, [1, 3, S, S], 'the thread goes on after a bad batch');
  } finally {
    await thread.close();
  }
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  // the same error, code and message as loading the folder here gives
  let local: FaceganError | undefined;
  try {
    loadTrainedModel(empty);
  } catch (e) {
    local = e as FaceganError;
  }
  assert.ok(local?.code === ErrorCodes.BAD_MODEL || local?.code === ErrorCodes.BAD_FILE);
  await assert.rejects(
    ModelThread.open({ modelDir: empty, device: 'cpu', bf16: false }),
    (e: FaceganError) => e instanceof FaceganError && e.code === local!.code && e.message === local!.message,
  );
});
