/** translate: a CycleGAN on the shared GRID clip (faces pasted back, or whole frames), and the wrong model kinds. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { sharedData } from '../testing/data.js';
import { TINY_CYCLEGAN, photoFolder } from '../testing/cyclegan.js';
import { train } from '../train/trainer.js';
import { readFrames } from '../media/video.js';
import { readImage } from '../media/image.js';
import { DIGITAL_SOURCE_TYPE, readImageSourceType, readVideoSourceType } from '../media/provenance.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { RgbImage } from '../core/image.js';
import { translate } from './translate.js';
import { convert } from './convert.js';
import { evaluate } from '../eval/eval.js';

const GRID = sharedData('video', 'grid_s2_swwp2s.mpg');
const SMALL = { ...TINY_CYCLEGAN, iterations: 4, saveEvery: 4, previewEvery: 4 } as const;
let faceModel = '',
  imageModel = '',
  pairModel = '',
  tmp = '';

before(async () => {
  tmp = testTmp();
  const [a, b] = [await extractedFaces('grid_s1', 6), await extractedFaces('grid_s2', 6)];
  faceModel = join(tmp, 'translate-faces');
  await train({ a, b, modelDir: faceModel, ...SMALL });
  imageModel = join(tmp, 'translate-images');
  await train({ a: photoFolder('grid_s1', 3), b: photoFolder('grid_s2', 3), modelDir: imageModel, ...SMALL });
  pairModel = join(tmp, 'translate-pair');
  await train({ a, b, modelDir: pairModel, model: 'lightweight', batchSize: 2, iterations: 1, precision: 'auto' });
});

const probe = (path: string, stream: string, entries: string) =>
  spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', stream, '-count_frames', '-show_entries', entries, '-of', 'csv=p=0', path],
    { encoding: 'utf8' },
  ).stdout.trim();
const packets = (path: string) =>
  spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'a', '-show_entries', 'packet=size', '-of', 'csv=p=0', path],
    { encoding: 'utf8' },
  ).stdout.trim();
const meanDiff = (a: RgbImage, b: RgbImage) =>
  a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]!), 0) / a.data.length;

test('translate a video with a face model: same frames, rate, duration and audio packets; labelled; the face changed', {
  timeout: 300_000,
}, async () => {
  const out = join(tmp, 'translated.mp4');
  const s = await translate({ input: GRID, output: out, modelDir: faceModel, direction: 'b2a' });
  assert.equal(s.source, 'detector');
  assert.ok(s.faces >= s.frames * 0.9, `faces translated in most frames (${s.faces} of ${s.frames})`);
  assert.equal(probe(out, 'v:0', 'stream=nb_read_frames'), probe(GRID, 'v:0', 'stream=nb_read_frames'));
  assert.equal(probe(out, 'v:0', 'stream=r_frame_rate'), probe(GRID, 'v:0', 'stream=r_frame_rate'));
  const duration = (p: string) =>
    Number(
      spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', p], {
        encoding: 'utf8',
      }).stdout,
    );
  assert.ok(Math.abs(duration(out) - duration(GRID)) < 0.1, `duration ${duration(out)} vs ${duration(GRID)}`);
  assert.equal(packets(out), packets(GRID), 'the audio packets are copied unchanged');
  assert.equal(await readVideoSourceType(out), DIGITAL_SOURCE_TYPE);
  const first = async (p: string) => {
    for await (const f of readFrames(p)) return f.image;
    throw new Error('no frame');
  };
  const [a, b] = [await first(GRID), await first(out)];
  assert.ok(meanDiff(a, b) > 0.2, 'the frame changed where the face is');
});

test('translate a photo with a whole-image model: the whole frame changes, same size, labelled', async () => {
  const photo = join(sharedData('faces', 'grid_s1'), readdirSync(sharedData('faces', 'grid_s1')).sort()[10]!);
  const out = join(tmp, 'translated-whole.png');
  const s = await translate({ input: photo, output: out, modelDir: imageModel });
  assert.equal(s.source, 'whole-image');
  const [a, b] = [await readImage(photo), await readImage(out)];
  assert.deepEqual([b.width, b.height], [a.width, a.height]);
  assert.ok(meanDiff(a, b) > 5, `the whole frame is translated (mean change ${meanDiff(a, b).toFixed(1)} levels)`);
  assert.equal(await readImageSourceType(out), DIGITAL_SOURCE_TYPE);
});

test('the wrong kind of model gets one clear line: a pair model to translate, a CycleGAN to convert', async () => {
  const photo = join(sharedData('faces', 'grid_s1'), readdirSync(sharedData('faces', 'grid_s1')).sort()[0]!);
  const cases: [() => Promise<unknown>, RegExp][] = [
    [
      () => translate({ input: photo, output: join(tmp, 'x1.png'), modelDir: pairModel }),
      /pair face swap.*translate takes CycleGAN models.*facegan convert/,
    ],
    [
      () => convert({ input: photo, output: join(tmp, 'x2.png'), modelDir: faceModel }),
      /CycleGAN.*convert takes pair models.*facegan translate/,
    ],
    [
      () => translate({ input: photo, output: join(tmp, 'x3.png'), modelDir: imageModel, filter: [photo] }),
      /whole images.*--filter/,
    ],
  ];
  for (const [run, message] of cases) {
    await assert.rejects(
      run(),
      (e: unknown) =>
        e instanceof FaceganError &&
        e.code !== ErrorCodes.ENGINE &&
        message.test(e.message) &&
        !e.message.includes('\n'),
      String(message),
    );
  }
});

test('eval measures a CycleGAN face model (with its cycle reconstruction) and refuses one trained on whole images', {
  timeout: 300_000,
}, async () => {
  const source = await extractedFaces('grid_s2', 6);
  const { report } = await evaluate({
    modelDir: faceModel,
    input: GRID,
    source,
    maxFrames: 4,
    spread: true,
    output: join(tmp, 'eval-cyclegan'),
    precision: 'fp32',
  });
  assert.equal(report.counts.frames, 4);
  const cycle = report.reconstruction.cycle!;
  assert.ok(Number.isFinite(cycle.psnr) && cycle.psnr > 5 && cycle.faces >= 3, JSON.stringify(cycle));
  await assert.rejects(
    evaluate({ modelDir: imageModel, input: GRID, source, maxFrames: 2, output: join(tmp, 'eval-x') }),
    (e: unknown) => e instanceof FaceganError && e.code === ErrorCodes.BAD_MODEL && /whole images/.test(e.message),
  );
});
