/**
 * eval on real faces with two "models" whose right answers are known: the identity map (output = input: the
 * original person, every expression kept) and a constant that always draws the source's mean face (the source's
 * identity, no expression followed). A real trained model lies between; train's tests cover those.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import Ajv2020 from 'ajv/dist/2020.js';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { sharedData } from '../testing/data.js';
import { collage } from '../testing/collages.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { tensor, type Tensor } from '../engine/index.js';
import { HumanDetector, largestFace } from '../faces/human.js';
import { readImage } from '../media/image.js';
import { poseDifference } from '../faces/expression.js';
import { readFaceCrop } from '../faces/crop-file.js';
import { prepareFace } from '../swap/swap.js';
import type { ModelGeometry, SwapModel } from '../models/trained.js';
import { centroid, folderFaces } from './identities.js';
import { SSD_FOUND, descriptorDistance } from '../faces/identity.js';
import { detectFacesSsd } from '../faces/ssd-net.js';
import { evaluate, ssdScore } from './eval.js';
import { REPORT_SCHEMA, type EvalReport } from './report.js';
import { renderHtml } from './html.js';
import { splitEvalOptions, trainEvaluator } from './train-eval.js';

const GRID = sharedData('video', 'grid_s2_swwp2s.mpg');
/** Every 4th of the clip's 75 frames: 19 measured. */
const EVERY = 4,
  FRAMES = Math.ceil(75 / EVERY);
let source = '',
  geometry: ModelGeometry;
const detector = new HumanDetector();

before(async () => {
  source = await extractedFaces('grid_s1', 12);
  const first = await readFaceCrop(join(source, readdirSync(source).sort()[0]!));
  const coverage = first.record!.crop.coverage;
  geometry = {
    model: 'lightweight',
    mask: false,
    size: 64,
    modelCoverage: coverage / 0.875,
    extractCoverage: coverage,
  };
});

/** Output = input. */
const identityModel = (): SwapModel => ({ geometry, iteration: 0, model: { forward: (x: Tensor) => x.clone() } });

/** Always the mean of the source's faces, as the model would see them. */
async function constantModel(): Promise<SwapModel> {
  const sum = new Float32Array(3 * 64 * 64);
  const files = readdirSync(source).sort();
  for (const f of files) {
    const crop = await readFaceCrop(join(source, f));
    prepareFace(crop.image, crop.landmarks!, geometry).pixels.forEach((v, i) => {
      sum[i]! += v / files.length;
    });
  }
  return {
    geometry,
    iteration: 0,
    model: { forward: (x: Tensor) => tensor(sum, { shape: [1, 3, 64, 64] }).repeat(x.shape[0]!, 1, 1, 1) },
  };
}

let identityRun: Promise<{ report: EvalReport; folder?: string }> | undefined;
/** The identity map's report on the GRID clip, measured once for the tests that need it. */
const identityReport = () => (identityRun ??= run(identityModel(), join(testTmp(), 'eval-identity')));
let constantRun: Promise<{ report: EvalReport }> | undefined;
/**
 * The constant's report, measured once, with the input person's training faces given (the person in the GRID clip,
 * from another of their clips), so that it carries the template baseline too.
 */
const constantReport = () =>
  (constantRun ??= (async () =>
    run(await constantModel(), join(testTmp(), 'eval-constant'), await extractedFaces('grid_s2', 12)))());

const run = (model: SwapModel, output: string, faces?: string) =>
  evaluate({
    modelDir: join(testTmp(), 'no-such-model'),
    model,
    input: GRID,
    source,
    faces,
    everyN: EVERY,
    output,
    precision: 'fp32',
  });

test('the identity figure separates one person from another', { timeout: 300_000 }, async () => {
  const s1 = await folderFaces(sharedData('faces', 'grid_s1'), detector, 10, '--source');
  const s2 = await folderFaces(sharedData('faces', 'grid_s2'), detector, 10, '--gallery');
  const obama = await folderFaces(sharedData('faces', 'obama'), detector, 10, '--gallery');
  const within = descriptorDistance(
    centroid(s1.slice(0, 5).map((f) => f.descriptor)),
    centroid(s1.slice(5).map((f) => f.descriptor)),
  );
  const across = [s2, obama].map((o) =>
    descriptorDistance(centroid(s1.map((f) => f.descriptor)), centroid(o.map((f) => f.descriptor))),
  );
  assert.ok(within < 0.3, `one person, two halves of a clip: ${within.toFixed(3)}`);
  for (const d of across) assert.ok(d > 0.6, `two people: ${d.toFixed(3)}`);
  const pairs = (a: typeof s1, b: typeof s1) =>
    a.flatMap((x) => b.map((y) => descriptorDistance(x.descriptor, y.descriptor)));
  assert.ok(
    Math.max(...pairs(s1, s1)) < Math.min(...pairs(s1, s2)),
    'every same-person pair is nearer than every two-person pair',
  );
});

test('the identity map scores the original person and follows every expression', { timeout: 300_000 }, async () => {
  const { report, folder } = await identityReport();
  assert.equal(folder, join(testTmp(), 'eval-identity'));
  assert.equal(report.counts.frames, FRAMES);
  assert.ok(
    report.counts.inputFaces >= FRAMES - 1 && report.counts.measured >= FRAMES - 1,
    JSON.stringify(report.counts),
  );
  assert.equal(report.detection.rate, 1);
  assert.ok(report.identity.retrieval! < 0.1, `retrieval of the source ${report.identity.retrieval}`);
  assert.ok(report.identity.nearest.original! >= report.counts.measured - 1, JSON.stringify(report.identity.nearest));
  assert.ok(
    report.identity.distanceToOriginal! < 0.25 && report.identity.distanceToSource! > 0.6,
    JSON.stringify(report.identity),
  );
  assert.ok(report.expression!.error < 0.01, `expression error ${report.expression!.error}`);
  assert.ok(report.expression!.mouthCorrelation! > 0.9, `mouth ${report.expression!.mouthCorrelation}`);
  // the mouth's references: for the identity map, its reconstruction and the input's own crop are its swap
  for (const f of report.frames.filter((r) => r.measured)) {
    assert.equal(f.mouthRebuilt, f.mouthOut, f.key);
    assert.equal(f.mouthCeiling, f.mouthOut, f.key);
  }
  assert.ok(report.frames.filter((f) => typeof f.mouthCeiling === 'number').length >= FRAMES - 1);
  // SSD's confidence on each face: what `detected` and the input's rate are read from
  const faced = report.frames.filter((f) => f.face);
  for (const f of faced) {
    assert.ok(f.detectionScore! >= 0 && f.detectionScore! <= 1, `${f.key}: ${f.detectionScore}`);
    assert.equal(f.detected, f.detectionScore! >= SSD_FOUND, f.key);
  }
  const inputFound = faced.filter((f) => f.inputDetectionScore! >= SSD_FOUND).length;
  assert.equal(inputFound / faced.length, report.detection.inputRate);
  assert.equal(report.expression!.mouthCeiling, report.expression!.mouthCorrelation);
  assert.equal(report.expression!.mouthReconstruction, report.expression!.mouthCorrelation);
  assert.ok(report.pose!.mean < 2, `pose ${JSON.stringify(report.pose)}`);
  assert.ok(report.reconstruction.input!.psnr > 30, `A->A psnr ${report.reconstruction.input!.psnr}`);
  assert.ok(
    report.reconstruction.cycle!.psnr > 60,
    `there and back through the identity map is the input (${report.reconstruction.cycle!.psnr} dB)`,
  );
  assert.ok(
    report.temporal && report.temporal.addedJitter < report.temporal.inputJitter,
    JSON.stringify(report.temporal),
  );
});

test("a constant mean face scores the source's identity but does not follow the expression", {
  timeout: 300_000,
}, async () => {
  const { report: still } = await constantReport();
  const { report: copy } = await identityReport();
  assert.ok(still.counts.measured >= FRAMES - 3, JSON.stringify(still.counts));
  assert.ok(
    still.identity.retrieval! >= 0.9,
    `retrieval ${still.identity.retrieval} ${JSON.stringify(still.identity.nearest)}`,
  );
  assert.ok(
    still.expression!.error > 3 * copy.expression!.error,
    `expression error ${still.expression!.error} against ${copy.expression!.error}`,
  );
  assert.ok((still.expression!.mouthCorrelation ?? 0) < 0.5, `mouth correlation ${still.expression!.mouthCorrelation}`);
  // its own side is the same constant, while the input's crop at 64 px still carries every mouth
  assert.ok(still.frames.filter((f) => typeof f.mouthRebuilt === 'number').length >= FRAMES - 3);
  assert.ok((still.expression!.mouthReconstruction ?? 0) < 0.5, JSON.stringify(still.expression));
  assert.ok(still.expression!.mouthCeiling! > 0.8, JSON.stringify(still.expression));
  // reconstruction: the constant is the mean face, so it scores the baseline's figures (up to the mean over a different
  // set)
  assert.ok(still.reconstruction.input!.psnr < copy.reconstruction.input!.psnr);
  assert.ok(
    still.reconstruction.cycle!.psnr < 30,
    `a constant cannot come back to the input (cycle ${still.reconstruction.cycle!.psnr} dB)`,
  );
  // pasted otherwise (convert's --mask none: the whole square crop), the same first frame is judged on what was pasted
  const { report: square } = await evaluate({
    modelDir: join(testTmp(), 'no-such-model'),
    model: await constantModel(),
    input: GRID,
    source,
    everyN: EVERY,
    maxFrames: 1,
    mask: 'none',
    precision: 'fp32',
    write: false,
  });
  assert.deepEqual(square.paste, { mask: 'none', erode: 0, feather: 0.04, sharpen: 0, color: 'color-transfer' });
  assert.equal(square.frames[0]!.key, still.frames[0]!.key);
  assert.notEqual(square.frames[0]!.detectionScore, still.frames[0]!.detectionScore, 'another paste, another score');
});

test('pose error: a face against itself is 0 and grows with a rotation applied', { timeout: 120_000 }, async () => {
  const path = join(sharedData('faces', 'grid_s1'), readdirSync(sharedData('faces', 'grid_s1')).sort()[10]!);
  const angles = async (deg: number) => {
    const { data, info } = await sharp(path)
      .rotate(deg, { background: '#000' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const faces = await detector.detect({ width: info.width, height: info.height, data: new Uint8Array(data) });
    assert.equal(faces.length, 1, `one face at ${deg} degrees`);
    return faces[0]!.angles;
  };
  const upright = await angles(0);
  assert.deepEqual(poseDifference(upright, upright), { yaw: 0, pitch: 0, roll: 0 });
  const rolls = [];
  for (const deg of [10, 25]) {
    const d = poseDifference(upright, await angles(deg));
    rolls.push(Math.abs(d.roll));
    assert.ok(
      Math.abs(Math.abs(d.roll) - deg) < 5,
      `a ${deg} degree turn reads as ${d.roll.toFixed(1)} degrees of roll`,
    );
  }
  assert.ok(rolls[1]! > rolls[0]!);
});

test('reports are written atomically and validate against the schema; bad input is a clear error', {
  timeout: 300_000,
}, async () => {
  const folder = (await identityReport()).folder!;
  assert.deepEqual(readdirSync(folder).sort(), ['report.html', 'report.json'], 'no temporary files are left');
  const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as EvalReport;
  const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(REPORT_SCHEMA);
  assert.ok(validate(report), JSON.stringify(validate.errors));
  // pasted as convert pastes by default, and the report says so
  assert.deepEqual(report.paste, { mask: 'extended', erode: 0, feather: 0.04, sharpen: 0, color: 'color-transfer' });
  assert.equal(validate({ ...report, detection: { rate: 1.5, inputRate: 1 } }), false, 'a share above 1 is refused');
  assert.equal(validate({ ...report, frames: undefined }), false, 'the frames are required');
  // a report written before the mouth's references came still validates and renders
  const { paste: _paste, ...withoutPaste } = report;
  const older: EvalReport = {
    ...withoutPaste,
    expression: { error: report.expression!.error, mouthCorrelation: report.expression!.mouthCorrelation },
    frames: report.frames.map(
      ({ mouthRebuilt: _r, mouthCeiling: _c, detectionScore: _d, inputDetectionScore: _i, ...f }) => f,
    ),
  };
  assert.ok(validate(older), JSON.stringify(validate.errors));
  assert.equal(validate({ ...report, expression: { ...report.expression, mouthCeil: 1 } }), false, 'no unknown keys');
  const olderPage = renderHtml(older, []);
  assert.match(olderPage, /mouth-opening correlation/);
  assert.doesNotMatch(olderPage, /ceiling at the model's size|reconstructed|confidence per frame/);
  const html = readFileSync(join(folder, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /ceiling at the model's size/);
  assert.match(html, /Face detector confidence per frame/);
  assert.equal((html.match(/<img /g) ?? []).length, 12, 'six examples, original beside swapped');
  assert.match(html, new RegExp(`ID retrieval</td><td><b>${(100 * report.identity.retrieval!).toFixed(1)}%`));

  const code = (c: string) => (e: unknown) => e instanceof FaceganError && e.code === c;
  await assert.rejects(
    evaluate({
      modelDir: testTmp(),
      model: identityModel(),
      input: GRID,
      source: join(testTmp(), 'missing'),
      write: false,
    }),
    code(ErrorCodes.BAD_FILE),
  );
  await assert.rejects(
    evaluate({ modelDir: join(testTmp(), 'no-model'), input: GRID, source, write: false }),
    code(ErrorCodes.BAD_MODEL),
  );
  await assert.rejects(
    evaluate({ modelDir: testTmp(), model: identityModel(), input: GRID, source, mask: 'learned', write: false }),
    (e) => code(ErrorCodes.USAGE)(e) && /--mask learned needs a model trained with --mask/.test((e as Error).message),
  );
  const sky = join(testTmp(), 'sky.png');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#58f' } })
    .png()
    .toFile(sky);
  await assert.rejects(
    evaluate({ modelDir: testTmp(), model: identityModel(), input: sky, source, write: false }),
    (e) => code(ErrorCodes.BAD_FILE)(e) && /No face found/.test((e as Error).message),
  );
});

const templateBaselineTitle =
  "the template baseline: the mean of the input person's training faces, " +
  'below the oracle mean of the frames themselves';
test(templateBaselineTitle, {
  timeout: 300_000,
}, async () => {
  const { report } = await constantReport(); // the template does not depend on the model
  const rec = report.reconstruction.input!;
  assert.ok(rec.template, 'measured when the training faces are given');
  assert.ok(
    rec.template.psnr < rec.baseline.psnr,
    `template ${rec.template.psnr.toFixed(2)} dB < oracle ${rec.baseline.psnr.toFixed(2)} dB`,
  );
  assert.ok(rec.template.psnr > 15, `a template of the same person is close: ${rec.template.psnr.toFixed(2)} dB`);
  const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(REPORT_SCHEMA);
  assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors));
  assert.equal((await identityReport()).report.reconstruction.input!.template, null, 'null without --faces');
});

test('the second detector finds large 720p faces (matched by their landmarks, not the loose box) and not a blank', {
  timeout: 300_000,
}, async () => {
  // Human's box is about twice the face: matched against it, SSD's tight boxes of these frames scored IoU 0.24-0.33
  // and eval counted the inputs as unseen (an input detection rate of 0.125 on Obama's weekly addresses)
  const folder = sharedData('faces', 'obama');
  const names = readdirSync(folder)
    .filter((f) => f.startsWith('obama_wa_'))
    .sort()
    .filter((_, i) => i % 60 === 0);
  assert.ok(names.length >= 4);
  for (const name of names) {
    const image = await readImage(join(folder, name));
    const face = largestFace(await detector.detect(image))!;
    assert.ok(face, name);
    const score = await ssdScore(image, face.landmarks);
    assert.ok(score >= SSD_FOUND, `${name}: face-api should see the face (${score})`);
    // its score is the one SSD gives that face at its own threshold (the low floor changes no found face's score)
    const found = Math.max(...(await detectFacesSsd(image)).map((f) => f.score));
    assert.equal(score, found, name);
    // the face's region painted grey: nothing there to see
    const [x, y, w, h] = face.box.map(Math.round) as [number, number, number, number];
    const blank = { ...image, data: new Uint8Array(image.data) };
    for (let r = Math.max(0, y); r < Math.min(image.height, y + h); r++)
      blank.data.fill(
        128,
        (r * image.width + Math.max(0, x)) * 3,
        (r * image.width + Math.min(image.width, x + w)) * 3,
      );
    const grey = await ssdScore(blank, face.landmarks);
    assert.equal(grey >= SSD_FOUND, false, `${name}: a blanked face is not seen`);
    assert.ok(grey < 0.3, `${name}: SSD's score on grey (${grey})`);
  }
});

test("--filter measures the filter person's face where a larger one of someone else is in the frame", {
  timeout: 300_000,
}, async () => {
  // grid_s1 (the source's person) small beside a larger Obama, twice; then Obama alone
  const dir = join(testTmp(), 'eval-filter-frames');
  mkdirSync(dir, { recursive: true });
  const s1 = (name: string, x: number) => ({
    file: ['grid_s1', name] as [string, string],
    side: 130,
    angle: 0,
    x,
    y: 200,
  });
  const obama = (x: number) => ({
    file: ['obama', 'obama_still_official_portrait_2012_souza.jpg'] as [string, string],
    side: 200,
    angle: 0,
    x,
    y: 260,
  });
  const frames = [
    [s1('grid_s1_bbaf2n_0001.jpg', 150), obama(520)],
    [obama(230), s1('grid_s1_bbaf2n_0040.jpg', 620)],
    [obama(400)],
  ];
  for (const [i, faces] of frames.entries())
    writeFileSync(join(dir, `frame${i}.png`), (await collage(800, 520, faces)).png);
  const measure = (filter?: string[]) =>
    evaluate({
      modelDir: testTmp(),
      model: identityModel(),
      input: dir,
      source,
      filter,
      write: false,
      precision: 'fp32',
    });
  const [all, only] = [await measure(), await measure([sharedData('faces', 'grid_s1', 'grid_s1_bbaf2n_0020.jpg')])];
  // the identity map gives back the face it was given: its distance to the source tells whose face that was
  const distances = (r: EvalReport) => r.frames.filter((f) => f.measured).map((f) => f.distanceToSource!);
  assert.equal(all.report.counts.inputFaces, 3, 'without --filter every frame has its largest face measured');
  assert.ok(Math.min(...distances(all.report)) > 0.6, `Obama's faces: ${distances(all.report)}`);
  assert.equal(only.report.counts.inputFaces, 2, 'the frame without the filter person has no face to measure');
  assert.equal(only.report.counts.measured, 2, JSON.stringify(only.report.counts));
  assert.ok(Math.max(...distances(only.report)) < 0.45, `the source person's faces: ${distances(only.report)}`);
  assert.deepEqual(only.report.input.filter, [sharedData('faces', 'grid_s1', 'grid_s1_bbaf2n_0020.jpg')]);
  assert.equal(all.report.input.filter, undefined);
  // train --eval-filter: the settings as the CLI and the dashboard give them, through train's evaluator
  const given = { evalEvery: 1, evalInput: dir, evalFilter: only.report.input.filter, evalFrames: 3, lr: 1e-4 };
  const { evaluation, rest } = splitEvalOptions(given);
  assert.deepEqual(rest, { lr: 1e-4 });
  const evaluator = trainEvaluator({
    ...evaluation,
    a: source,
    b: source,
    modelDir: join(testTmp(), 'eval-filter-model'),
    stylegan: false,
  })!;
  const figures = await evaluator.run(identityModel());
  assert.ok(figures.evalDistanceToSource! < 0.45, `through train's evaluator: ${figures.evalDistanceToSource}`);
  await assert.rejects(
    measure([sharedData('faces', 'grid_s2', 'grid_s2_pwij3p_0001.jpg')]),
    (e) => e instanceof FaceganError && e.code === ErrorCodes.BAD_FILE && /--filter person/.test((e as Error).message),
  );
});
