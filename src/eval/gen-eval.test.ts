/** eval-gen on a small StyleGAN: the report's parts, its baselines, and the PCA sampler on known data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { sharedData } from '../testing/data.js';
import { ErrorCodes, type FaceganError } from '../core/errors.js';
import { join } from 'node:path';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { train } from '../train/trainer.js';
import { TINY_STYLEGAN } from '../testing/stylegan.js';
import { alignedLandmarks, asTrained, evalGen, generatorEvaluator, pcaSamples } from './gen-eval.js';
import { faceFileNames, readCropRecord } from '../faces/crop-file.js';
import { HumanDetector, largestFace } from '../faces/human.js';
import { identityOfFace } from '../faces/identity-filter.js';
import { descriptorDistance } from '../faces/identity.js';
import { escapeXml, resizeImage } from '../media/image.js';
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
    snapshotEvery: 1,
  });
  const { report, path, html, targets } = await evalGen({
    modelDir: model,
    real: held,
    training: faces,
    samples: 6,
    snapshots: true,
  });
  assert.ok(existsSync(path));
  // --snapshots: iteration 1's snapshot, then the model itself (iteration 2, its snapshot not measured twice)
  assert.deepEqual(
    report.curve!.map((p) => p.iteration),
    [1, 2],
  );
  assert.equal(report.curve![1]!.kid, report.generator.kid);
  const page = readFileSync(html, 'utf8');
  assert.ok(page.includes('data:image/png;base64,') && page.includes('Over training') && page.includes('PCA sampler'));
  assert.equal(targets.length, 4);
  assert.ok(
    targets.every((t) => page.includes(escapeXml(t.name))),
    'the page lists every target',
  );
  assert.equal(report.samples, 6);
  for (const v of Object.values(report.detection)) assert.ok(v >= 0 && v <= 1);
  assert.ok(report.detection.real >= 0.75, `face-api finds the real crops' faces (${report.detection.real})`);
  const rr = report.realVsReal;
  assert.ok(Math.abs(rr.kid) < 0.05, `real vs real KID ${rr.kid}`);
  assert.ok(rr.recall > 0.5 && rr.precision > 0.5, `real vs real precision ${rr.precision} recall ${rr.recall}`);
  assert.ok(rr.memorisationMedian > 0.6, 'held-out s2 faces are far from the s1 faces trained on');
  assert.ok(Number.isFinite(report.pcaSampler.diversity));
  // aligned measuring needs real faces cut as the model's were: a plain photo is refused, saying what to do
  const plain = join(testTmp(), 'plain-real');
  mkdirSync(plain, { recursive: true });
  copyFileSync(sharedData('faces', 'grid_s2', 'grid_s2_pwij3p_0001.jpg'), join(plain, 'frame.jpg'));
  await assert.rejects(
    evalGen({ modelDir: model, real: plain, training: faces, samples: 4 }),
    (e: FaceganError) =>
      e.code === ErrorCodes.BAD_FILE && /not a face from facegan extract.*--coverage/.test(e.message),
  );
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

test('aligned faces: the mean-face landmarks give about the descriptor that detected landmarks give', async () => {
  const faces = await extractedFaces('obama', 6);
  const images = await asTrained(faces, 6, '--real', 64, 0.875);
  const aligned = alignedLandmarks(readCropRecord(join(faces, faceFileNames(faces)[0]!))!.crop.coverage, 0.875);
  const detector = new HumanDetector({ maxFaces: 1 });
  const gaps: number[] = [];
  for (const raw of images) {
    const img = await resizeImage(raw, 256, 128);
    const face = largestFace(await detector.detect(img));
    assert.ok(face, 'Human finds the real face');
    const found = await identityOfFace(img, face.landmarks);
    gaps.push(descriptorDistance(await identityOfFace(img, aligned), found));
  }
  gaps.sort((a, b) => a - b);
  // one person's descriptors lie within 0.6 of each other; the two ways of cutting the chip agree far better
  assert.ok(gaps[gaps.length >> 1]! < 0.2 && gaps.at(-1)! < 0.35, `distances ${gaps.map((g) => g.toFixed(3))}`);
});
