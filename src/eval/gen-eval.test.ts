/** eval-gen on a small StyleGAN: the report's parts, its baselines, and the PCA sampler on known data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { train } from '../train/trainer.js';
import { TINY_STYLEGAN } from '../testing/stylegan.js';
import { evalGen, generatorEvaluator, pcaSamples } from './gen-eval.js';
import { ModelFolder } from '../train/core/model-folder.js';

test('the PCA sampler: one image gives itself; two give images on the line between them', () => {
  const img = (v: number[]) => ({
    width: 2,
    height: 2,
    data: Uint8Array.from({ length: 12 }, (_, i) => v[i % v.length]!),
  });
  const same = pcaSamples([img([10, 20, 30]), img([10, 20, 30]), img([10, 20, 30])], 3);
  assert.ok(same.every((s) => s.data.every((v, i) => v === [10, 20, 30][i % 3])));
  // on the line from (50, 40, 30) towards (150, 100, 60): p1 - 40 = 0.6 (p0 - 50), within rounding
  const two = pcaSamples([img([50, 40, 30]), img([150, 100, 60])], 20);
  const inside = two.filter((s) => s.data.every((v) => v > 0 && v < 255));
  assert.ok(inside.length >= 10);
  for (const s of inside) assert.ok(Math.abs(s.data[1]! - 40 - 0.6 * (s.data[0]! - 50)) <= 1.5, `${s.data}`);
  assert.ok(new Set(inside.map((s) => s.data[0])).size > 3, 'the samples spread along it');
});

test('eval-gen writes a report with the model, a PCA sampler and real vs real', async () => {
  const faces = await extractedFaces('grid_s1', 8),
    held = await extractedFaces('grid_s2', 8);
  const model = join(testTmp(), 'sg-eval');
  await train({
    a: faces,
    modelDir: model,
    ...TINY_STYLEGAN,
    size: 64,
    iterations: 2,
    saveEvery: 2,
    previewEvery: 2,
  });
  const { report, path } = await evalGen({ modelDir: model, real: held, training: faces, samples: 6 });
  assert.ok(existsSync(path));
  assert.equal(report.samples, 6);
  for (const v of Object.values(report.detection)) assert.ok(v >= 0 && v <= 1);
  assert.ok(report.detection.real > 0, 'face-api finds faces in the real crops');
  const rr = report.realVsReal;
  assert.ok(Math.abs(rr.kid) < 0.05, `real vs real KID ${rr.kid}`);
  assert.ok(rr.recall > 0.5 && rr.precision > 0.5, `real vs real precision ${rr.precision} recall ${rr.recall}`);
  assert.ok(rr.memorisationMedian > 0.6, 'held-out s2 faces are far from the s1 faces trained on');
  assert.ok(Number.isFinite(report.pcaSampler.diversity));
});

test('--eval-every on a StyleGAN: the generator evaluator puts its figures into the log', async () => {
  const faces = await extractedFaces('grid_s1', 8),
    held = await extractedFaces('grid_s2', 8);
  const model = join(testTmp(), 'sg-eval-every');
  const seen: number[] = [];
  await train({
    a: faces,
    modelDir: model,
    ...TINY_STYLEGAN,
    size: 64,
    iterations: 2,
    saveEvery: 2,
    previewEvery: 2,
    logEvery: 1,
    evaluator: generatorEvaluator({
      every: 2,
      real: held,
      training: faces,
      samples: 4,
      onFigures: (i) => seen.push(i),
    }),
  });
  assert.deepEqual(seen, [2]);
  const last = new ModelFolder(model).readLog().at(-1)!;
  assert.equal(last.iteration, 2);
  assert.ok((last.realDetection as number) > 0 && Number.isFinite(last.pcaKid), JSON.stringify(last));
  assert.ok('genKid' in last && 'genDetection' in last);
});
