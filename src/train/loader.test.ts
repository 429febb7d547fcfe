/** The batch loader: its batches do not depend on how many worker threads make them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractedFaces } from '../testing/faces.js';
import { loadFaceset } from './faceset.js';
import { shareFaces, sharedFaceSources } from './shared-faces.js';
import { BatchLoader, loaderWorkers, type LoaderConfig } from './loader.js';
import { AUGMENT_DEFAULTS } from './augment.js';
import type { Worker } from 'node:worker_threads';
import { ErrorCodes, type FaceganError } from '../core/errors.js';

async function loaderConfig(): Promise<LoaderConfig> {
  const [a, b] = [await extractedFaces('grid_s1', 5), await extractedFaces('grid_s2', 5)];
  const read = async (folder: string) => shareFaces((await loadFaceset(folder, 64)).faces);
  return {
    faces: { a: await read(a), b: await read(b) },
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

test('the workers read the faces from one shared buffer: faces that were never on disk make batches', async () => {
  const config = await loaderConfig();
  const views = sharedFaceSources(config.faces.a);
  assert.equal(views.length, 5);
  assert.ok(
    views.every((f) => f.image.data.buffer === config.faces.a.pixels),
    'views on the shared pixels, not copies',
  );
  assert.ok(
    views.every((f) => f.landmarks?.length === 68),
    'the landmarks travel with the faces',
  );
  // a face made here, in memory only: the worker can only have it through the shared buffer
  const side = views[0]!.image.width;
  const grey = { image: { width: side, height: side, data: new Uint8Array(side * side * 3).fill(128) } };
  const loader = new BatchLoader({ ...config, faces: { a: shareFaces([grey]), b: config.faces.b } }, 2);
  try {
    const [first, second] = [await loader.get(0), await loader.get(1)];
    for (const batch of [first, second]) {
      // colour jitter shifts each channel of each sample, but a flat face stays flat in every plane
      const plane = batch.a.target.length / (3 * config.batchSize);
      for (let p = 0; p < 3 * config.batchSize; p++) {
        const values = batch.a.target.subarray(p * plane, (p + 1) * plane);
        const [lo, hi] = [Math.min(...values), Math.max(...values)];
        assert.ok(hi - lo < 0.02, `side A is the flat grey face, whatever the worker (plane ${p}: ${lo}-${hi})`);
      }
    }
  } finally {
    await loader.close();
  }
});
