/** The batch loader: its batches do not depend on how many worker threads make them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractedFaces } from '../testing/faces.js';
import { faceFileNames } from '../faces/crop-file.js';
import { BatchLoader, loaderWorkers, type LoaderConfig } from './loader.js';
import { AUGMENT_DEFAULTS } from './augment.js';
import type { Worker } from 'node:worker_threads';
import { ErrorCodes, type FaceganError } from '../core/errors.js';

async function loaderConfig(): Promise<LoaderConfig> {
  const [a, b] = [await extractedFaces('grid_s1', 5), await extractedFaces('grid_s2', 5)];
  return {
    folders: { a, b },
    files: { a: faceFileNames(a), b: faceFileNames(b) },
    minSide: 64,
    batchSize: 3,
    seed: 7,
    sample: { size: 64, coverage: 0.875, augment: AUGMENT_DEFAULTS, eyeWeight: 3, mouthWeight: 2, toLandmarks: false },
  };
}

test('three workers make the same augmented batches as one, in order', async () => {
  const config = await loaderConfig();
  const one = new BatchLoader(config, 1),
    three = new BatchLoader(config, 3);
  try {
    let previous: Float32Array | undefined;
    for (let i = 0; i < 7; i++) {
      const [x, y] = await Promise.all([one.get(i), three.get(i)]);
      for (const side of ['a', 'b'] as const) {
        assert.deepEqual(y[side].input, x[side].input, `iteration ${i} side ${side}: inputs`);
        assert.deepEqual(y[side].target, x[side].target, `iteration ${i} side ${side}: targets`);
      }
      if (previous) assert.notDeepEqual(x.a.input, previous, 'each iteration has batches of its own');
      previous = x.a.input;
    }
  } finally {
    await Promise.all([one.close(), three.close()]);
  }
  assert.equal(loaderWorkers('cpu'), 1, 'a CPU keeps its cores for the engine');
  assert.ok(loaderWorkers('cuda') >= 1 && loaderWorkers('cuda') <= 15);
});

test('a worker that ends mid-run makes get() fail with a clear error instead of waiting for ever', async () => {
  const loader = new BatchLoader(await loaderConfig(), 2);
  try {
    await loader.get(0);
    await (loader as unknown as { workers: Worker[] }).workers[1]!.terminate();
    await assert.rejects(
      async () => {
        for (let i = 1; i < 20; i++) await loader.get(i);
      },
      (e: FaceganError) => e.code === ErrorCodes.BAD_FILE && /data worker stopped: it ended/.test(e.message),
    );
  } finally {
    await loader.close();
  }
  await assert.rejects(loader.get(30), /was closed/, 'a closed loader refuses at once rather than waiting');
});
