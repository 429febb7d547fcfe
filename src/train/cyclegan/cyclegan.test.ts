/** CycleGAN: shapes, one step, the image pool, the lr schedule, exact resume, checkpoints, and bad input. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { extractedFaces, testTmp } from '../../testing/faces.js';
import { TINY_CYCLEGAN, photoFolder } from '../../testing/cyclegan.js';
import { train, type TrainOptions } from '../trainer.js';
import { ModelFolder } from '../core/model-folder.js';
import { CycleDiscriminators, CycleGenerators, ResnetGenerator } from '../../models/cyclegan.js';
import { loadTrainedModel } from '../../models/trained.js';
import { Adam, manualSeed, noGrad, rand, tensor, tidy, type Tensor } from '../../engine/index.js';
import { Random } from '../../core/random.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { cycleStep } from './family.js';
import { ImagePool } from './pool.js';
import { linearDecay } from './schedule.js';
import type { StepContext } from '../core/family.js';
import type { CycleGanConfig } from './settings.js';

const SMALL = { ...TINY_CYCLEGAN, poolSize: 3, precision: 'fp32' } as const;
const quick = (a: string, b: string, modelDir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  a,
  b,
  modelDir,
  ...SMALL,
  iterations: 6,
  saveEvery: 3,
  previewEvery: 3,
  logEvery: 1,
  ...extra,
});

let facesA = '',
  facesB = '';
before(async () => {
  [facesA, facesB] = [await extractedFaces('grid_s1', 6), await extractedFaces('grid_s2', 6)];
});

test('shapes: generators keep the image size (transposed or resize-conv); the PatchGAN gives 30x30 at 256 px', () => {
  manualSeed(0);
  for (const upsample of ['transpose', 'bilinear', 'nearest'] as const) {
    const g = new ResnetGenerator({ ngf: 8, blocks: 2, upsample });
    const y = noGrad(() => tidy(() => g.forward(rand([2, 3, 64, 64]).mul(2).sub(1))));
    assert.deepEqual(y.shape, [2, 3, 64, 64], upsample);
    const v = y.abs().amax().item();
    assert.ok(v <= 1, `tanh output within [-1, 1] (${v})`);
    y.dispose();
    g.dispose();
  }
  const d = new CycleDiscriminators({ ndf: 8 });
  const shape = noGrad(() => tidy(() => d.d_a.forward(rand([1, 3, 256, 256])).shape));
  assert.deepEqual(shape, [1, 1, 30, 30]);
  const names = d.d_a.namedParameters().map(([n]) => n);
  assert.equal(
    names.filter((n) => n.endsWith('bias')).length,
    2,
    'only the first and last convs have a bias (no affine norm)',
  );
  d.dispose();
});

test('one iteration gives finite losses and changes every weight of both generators and both discriminators', () => {
  manualSeed(1);
  const G = new CycleGenerators({ ngf: 8, ndf: 8, blocks: 1, upsample: 'transpose' }),
    D = new CycleDiscriminators({ ndf: 8 });
  const ctx: StepContext<CycleGanConfig> = {
    config: { size: 32, cycleWeight: 10, identityWeight: 0.5 } as CycleGanConfig,
    modules: { model: G, disc: D },
    device: 'cpu',
    optimizers: {
      model: new Adam(G, { lr: 2e-4, betas: [0.5, 0.999] }),
      disc: new Adam(D, { lr: 2e-4, betas: [0.5, 0.999] }),
    },
    autocast: (fn) => fn(),
    toDevice: (data, shape) => tensor(data, { shape }),
  };
  const before = new Map([
    ...G.namedParameters().map(([n, t]) => [`G.${n}`, t.clone()] as const),
    ...D.namedParameters().map(([n, t]) => [`D.${n}`, t.clone()] as const),
  ]);
  const batch = tidy(() => ({
    a: rand([2, 3, 32, 32]).data() as Float32Array,
    b: rand([2, 3, 32, 32]).data() as Float32Array,
    n: 2,
  }));
  const losses = tidy(() => cycleStep(ctx, batch));
  for (const k of ['ganA', 'ganB', 'cycleA', 'cycleB', 'idtA', 'idtB', 'discA', 'discB'])
    assert.ok(Number.isFinite(losses[k]), `${k} = ${losses[k]}`);
  const after = new Map([
    ...G.namedParameters().map(([n, t]) => [`G.${n}`, t] as const),
    ...D.namedParameters().map(([n, t]) => [`D.${n}`, t] as const),
  ]);
  for (const [name, t0] of before) {
    const moved = tidy(() => after.get(name)!.sub(t0).abs().amax().item());
    assert.ok(moved > 0, `${name} changed`);
    t0.dispose();
  }
  for (const m of [G, D]) m.dispose();
  for (const o of Object.values(ctx.optimizers)) o.dispose();
});

test('the image pool: fills first, then returns a stored fake half of the time', () => {
  const pool = new ImagePool(50),
    plane = 2,
    rng = new Random(7);
  for (let i = 0; i < 50; i++) {
    const out = pool.query(new Float32Array([i, i]), plane, rng);
    assert.deepEqual([...out], [i, i], 'while filling, each fake comes straight back');
  }
  let fromPool = 0;
  const n = 4000;
  for (let i = 0; i < n; i++) {
    const v = 1000 + i,
      out = pool.query(new Float32Array([v, v]), plane, rng);
    if (out[0] !== v) fromPool++;
  }
  assert.ok(Math.abs(fromPool / n - 0.5) < 0.03, `stored fakes returned at ${(fromPool / n).toFixed(3)}`);
  assert.equal(pool.images.length, 50);
  const none = new ImagePool(0),
    x = new Float32Array([1, 2]);
  assert.equal(none.query(x, plane, rng), x, 'a pool of 0 passes fakes through');
});

test('the lr schedule: constant for the first half, then linear to 0 at the last iteration', () => {
  const lr = (it: number) => linearDecay(2e-4, it, 1000, 0.5);
  assert.equal(lr(1), 2e-4);
  assert.equal(lr(500), 2e-4);
  assert.ok(lr(501) < 2e-4 && lr(501) > 1.99e-4);
  assert.ok(Math.abs(lr(750) - 1e-4) < 1e-6, `half way down at 3/4 (${lr(750)})`);
  assert.ok(lr(1000) > 0 && lr(1000) < 1e-6, 'the last step still moves, barely');
  for (let it = 502; it <= 1000; it++) assert.ok(lr(it) < lr(it - 1), 'falls every iteration');
  assert.equal(linearDecay(2e-4, 999, 1000, 0), 2e-4, 'decay 0 keeps it constant');
});

test('CycleGAN on faces: a resumed run repeats the uninterrupted loss curve, pools and all', async () => {
  const whole = join(testTmp(), 'cg-whole'),
    parts = join(testTmp(), 'cg-parts');
  await train(quick(facesA, facesB, whole));
  // stopped (as Ctrl-C does) rather than given fewer iterations: the lr schedule is counted on the run's length
  const stop = new AbortController();
  const first = await train(
    quick(facesA, facesB, parts, { signal: stop.signal, onProgress: (p) => p.done === 3 && stop.abort() }),
  );
  assert.equal(first.stopped, true);
  const second = await train(quick(facesA, facesB, parts));
  assert.equal(second.startIteration, 3);
  const a = new ModelFolder(whole).readLog(),
    b = new ModelFolder(parts).readLog();
  assert.deepEqual(
    b.map((e) => e.iteration),
    [1, 2, 3, 4, 5, 6],
  );
  a.forEach((e, i) => {
    for (const k of ['cycleA', 'cycleB', 'discA', 'discB']) {
      assert.ok(Math.abs(e[k]! - b[i]![k]!) < 1e-5, `iteration ${e.iteration} ${k}: ${e[k]} vs ${b[i]![k]}`);
    }
  });
  for (const f of [
    'model.safetensors',
    'disc.safetensors',
    'disc-optimizer.safetensors',
    'step-state.safetensors',
    'previews/preview.png',
  ]) {
    assert.ok(existsSync(join(parts, f)), f);
  }
  assert.ok(existsSync(join(parts, 'backup', 'disc.safetensors')), 'backup/ holds the discriminators too');
  const meta = await sharp(join(parts, 'previews', 'preview.png')).metadata();
  assert.equal(meta.width, (6 * 32 + 8) * 4, 'six columns: A, A>B, A>B>A | B, B>A, B>A>B');
});

test('a CycleGAN checkpoint loads for inference and gives the same outputs twice, unlike a fresh model', () => {
  const dir = join(testTmp(), 'cg-whole');
  const m1 = loadTrainedModel(dir),
    m2 = loadTrainedModel(dir);
  assert.equal(m1.family, 'cyclegan');
  assert.equal(m1.trainedOn, 'faces');
  assert.equal(m1.geometry.size, 32);
  const x = rand([2, 3, 32, 32]);
  const out = (m: { forward(x: Tensor, s: 'a' | 'b'): Tensor }) =>
    noGrad(() => tidy(() => m.forward(x, 'b').data() as Float32Array));
  const y1 = out(m1.model),
    y2 = out(m2.model);
  assert.deepEqual(y1, y2);
  assert.ok(
    y1.every((v) => v >= 0 && v <= 1),
    'outputs in 0-1',
  );
  manualSeed(5);
  const fresh = new CycleGenerators({ ngf: 8, ndf: 8, blocks: 1, upsample: 'transpose' }).eval();
  assert.notDeepEqual(out(fresh), y1, 'the trained weights are not a fresh model');
  for (const m of [m1.model, m2.model, fresh]) m.dispose();
  x.dispose();
});

test('CycleGAN on plain photos: trains on whole images and says so in its config', async () => {
  const dir = join(testTmp(), 'cg-photos');
  const s = await train(
    quick(photoFolder('grid_s1', 4), photoFolder('grid_s2', 4), dir, { iterations: 2, upsample: 'bilinear' }),
  );
  assert.equal(s.iteration, 2);
  assert.equal(s.config.trainedOn, 'images');
  assert.equal(loadTrainedModel(dir).trainedOn, 'images');
});

test('bad input to CycleGAN training gets one clear error', async () => {
  const text = join(testTmp(), 'not-images');
  mkdirSync(text, { recursive: true });
  writeFileSync(join(text, 'notes.txt'), 'hello');
  const fake = join(testTmp(), 'fake-png');
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, 'face.png'), 'not a png');
  const cases: [Partial<TrainOptions>, string, RegExp][] = [
    [{ a: text }, ErrorCodes.BAD_FILE, /holds no images/],
    [{ b: fake }, ErrorCodes.BAD_FILE, /face\.png/],
    [{ b: photoFolder('grid_s2', 2) }, ErrorCodes.BAD_FILE, /faces from facegan extract and the other plain images/],
    [{ size: 30 }, ErrorCodes.USAGE, /multiple of 4/],
    [{ gan: true }, ErrorCodes.USAGE, /--gan does not apply to cyclegan/],
    [{ modelDir: join(testTmp(), 'cg-whole'), ngf: 16 }, ErrorCodes.BAD_MODEL, /--ngf 8/],
  ];
  for (const [o, code, message] of cases) {
    await assert.rejects(
      train(quick(facesA, facesB, join(testTmp(), 'cg-bad'), o)),
      (e: unknown) =>
        e instanceof FaceganError && e.code === code && message.test(e.message) && !e.message.includes('\n    at '),
      JSON.stringify(o),
    );
  }
});
