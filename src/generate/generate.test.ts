/** facegan generate on a small trained StyleGAN: seeds, truncation, grids, style mixing, labels, refusals. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { train } from '../train/trainer.js';
import { TINY_STYLEGAN } from '../testing/stylegan.js';
import { readImage } from '../media/image.js';
import { GENERATED_SOURCE_TYPE, readImageSourceType, readVideoSourceType } from '../media/provenance.js';
import { interpolate, walkPosition } from './interpolate.js';
import { project } from './project.js';
import { loadSafetensors } from '../engine/index.js';
import { ErrorCodes, type FaceganError } from '../core/errors.js';
import { generate } from './generate.js';
import { parseRanges } from '../core/ranges.js';

let model = '';
before(async () => {
  const faces = await extractedFaces('grid_s1', 6);
  model = join(testTmp(), 'sg-gen');
  await train({
    a: faces,
    modelDir: model,
    ...TINY_STYLEGAN,
    iterations: 4,
    saveEvery: 4,
    previewEvery: 4,
  });
});

const pixels = async (file: string) => Buffer.from((await readImage(file)).data);

test('a seed gives the same image every time, other seeds other images; labelled as generated', async () => {
  const [one, two] = [join(testTmp(), 'gen-1'), join(testTmp(), 'gen-2')];
  const s = await generate({ modelDir: model, output: one, seeds: [3, 4] });
  await generate({ modelDir: model, output: two, seeds: [4] });
  assert.deepEqual(
    s.files.map((f) => f.split('/').pop()),
    ['seed0003.png', 'seed0004.png'],
  );
  assert.ok((await pixels(join(one, 'seed0004.png'))).equals(await pixels(join(two, 'seed0004.png'))), 'seed 4 twice');
  assert.ok(
    !(await pixels(join(one, 'seed0003.png'))).equals(await pixels(join(one, 'seed0004.png'))),
    'seeds 3 and 4',
  );
  assert.equal(await readImageSourceType(join(one, 'seed0003.png')), GENERATED_SOURCE_TYPE);
  const bare = join(testTmp(), 'gen-bare');
  await generate({ modelDir: model, output: bare, seeds: [3], provenance: false });
  assert.equal(await readImageSourceType(join(bare, 'seed0003.png')), undefined, '--no-provenance');
});

test('truncation 0 gives the average face for every seed; a grid holds every seed', async () => {
  const out = join(testTmp(), 'gen-avg');
  await generate({ modelDir: model, output: out, seeds: [1, 2, 3], truncation: 0 });
  const [a, b, c] = await Promise.all([1, 2, 3].map((s) => pixels(join(out, `seed000${s}.png`))));
  assert.ok(a!.equals(b!) && b!.equals(c!), 'one image for all seeds');
  const grid = join(testTmp(), 'gen-grid.png');
  await generate({ modelDir: model, output: grid, seeds: [0, 1, 2, 3, 4], grid: true });
  const g = await readImage(grid);
  assert.deepEqual([g.width, g.height], [3 * 32, 2 * 32], '5 seeds in rows of 3');
});

test("style mixing: a cell given every style of its column is the column seed's image", async () => {
  const out = join(testTmp(), 'gen-mix.png');
  const all = await generate({
    modelDir: model,
    output: out,
    styleMix: { rows: [1, 2], cols: [7, 8, 9], styles: [0, 7] },
  });
  assert.equal(all.images, 6);
  const g = await readImage(out);
  assert.deepEqual([g.width, g.height], [4 * 32, 3 * 32]);
  const cell = (col: number, row: number) => {
    const out: number[] = [];
    for (let y = 0; y < 32; y++)
      out.push(
        ...g.data.subarray(((row * 32 + y) * g.width + col * 32) * 3, ((row * 32 + y) * g.width + col * 32 + 32) * 3),
      );
    return Buffer.from(out);
  };
  assert.ok(cell(2, 1).equals(cell(2, 0)), 'row 1, column 2 (all styles from seed 8) is seed 8');
  await generate({ modelDir: model, output: out, styleMix: { rows: [1, 2], cols: [7, 8, 9], styles: [0, 3] } });
  const mixed = await readImage(out);
  assert.ok(!Buffer.from(mixed.data).equals(Buffer.from(g.data)), 'coarse styles only: another image');
});

const badInputTitle =
  'bad input: a swap model, a grid to a folder-like name, seeds that are not numbers, settings out of range';
test(badInputTitle, async () => {
  await assert.rejects(
    generate({ modelDir: join(testTmp(), 'none'), output: join(testTmp(), 'x'), seeds: [1] }),
    (e: FaceganError) => e.code === ErrorCodes.BAD_MODEL,
  );
  await assert.rejects(
    generate({ modelDir: model, output: join(testTmp(), 'grid.txt'), seeds: [1], grid: true }),
    (e: FaceganError) => e.code === ErrorCodes.USAGE && /image file/.test(e.message),
  );
  assert.ok(!existsSync(join(testTmp(), 'grid.txt')));
  assert.throws(() => parseRanges('1-x', '--seeds'), /numbers and ranges/);
  assert.deepEqual(parseRanges('0-2,7', '--seeds'), [0, 1, 2, 7]);
  // from code, the command line's messages, naming the setting both ways (checked before the model is loaded)
  const usage = (re: RegExp) => (e: FaceganError) => e.code === ErrorCodes.USAGE && re.test(e.message);
  const out = join(testTmp(), 'never');
  await assert.rejects(
    generate({ modelDir: model, output: out, seeds: [1], truncation: 3 }),
    usage(/Expected a number between 0 and 2 for truncation \(--truncation\) but received 3/),
  );
  await assert.rejects(
    interpolate({ modelDir: model, output: `${out}.mp4`, seeds: [1, 2], fps: 0 }),
    usage(/fps \(--fps\)/),
  );
  await assert.rejects(
    project({ modelDir: model, input: out, output: out, steps: 1.5 }),
    usage(/Expected an integer .*steps \(--steps\)/),
  );
  await assert.rejects(
    generate({ modelDir: model, output: out, seeds: [1], device: 'gpu' as never }),
    usage(/one of auto, cpu, cuda for device/),
  );
  assert.ok(!existsSync(out));
});

test('interpolate: a labelled video with a frame per step, meeting each seed exactly', async () => {
  assert.deepEqual(walkPosition(0, 10), [0, 0]);
  assert.deepEqual(walkPosition(10, 10), [1, 0], 'the second keyframe is reached exactly');
  const [, mid] = walkPosition(5, 10);
  assert.ok(Math.abs(mid - 0.5) < 1e-12, 'halfway at half time');
  assert.ok(walkPosition(1, 10)[1] < 0.1 / 2, 'eased: slow near a keyframe');
  const out = join(testTmp(), 'walk.mp4');
  const s = await interpolate({ modelDir: model, output: out, seeds: [1, 2, 3], secondsPerSeed: 0.5, fps: 10 });
  assert.equal(s.frames, 2 * 5 + 1);
  assert.equal(s.size, 128, '4x the model side');
  assert.equal(readVideoSourceType(out), GENERATED_SOURCE_TYPE);
  await assert.rejects(interpolate({ modelDir: model, output: out, seeds: [1] }), /two or more/);
  await assert.rejects(
    interpolate({ modelDir: model, output: join(testTmp(), 'walk.png'), seeds: [1, 2] }),
    /video file/,
  );
});

test('project: the projection is nearer the target than the mean face, with w, label and video written', async () => {
  const faces = await extractedFaces('grid_s1', 6);
  const input = join(
    faces,
    readdirSync(faces)
      .filter((f) => f.endsWith('.png'))
      .sort()[0]!,
  );
  const out = join(testTmp(), 'proj');
  const s = await project({ modelDir: model, input, output: out, steps: 40 });
  const meanFace = join(testTmp(), 'proj-mean');
  await generate({ modelDir: model, output: meanFace, seeds: [0], truncation: 0 });
  const target = await readImage(join(out, 'target.png'));
  const psnrOf = (a: Uint8Array, b: Uint8Array) =>
    10 * Math.log10(255 ** 2 / (a.reduce((acc, v, i) => acc + (v - b[i]!) ** 2, 0) / a.length));
  const projected = psnrOf((await readImage(join(out, 'projected.png'))).data, target.data);
  const mean = psnrOf((await readImage(join(meanFace, 'seed0000.png'))).data, target.data);
  assert.ok(projected > mean + 0.5, `projection ${projected.toFixed(2)} dB against the mean face's ${mean.toFixed(2)}`);
  assert.ok(Math.abs(s.psnr - projected) < 0.5, "the reported PSNR is the written image's");
  assert.equal(await readImageSourceType(join(out, 'projected.png')), GENERATED_SOURCE_TYPE);
  const w = loadSafetensors(join(out, 'w.safetensors')).tensors.get('w')!;
  assert.deepEqual(w.shape, [1, 8, 32]);
  assert.ok(existsSync(join(out, 'optimisation.mp4')));
});
