/** train on real extracted faces: it learns, saves and resumes exactly, previews, and refuses bad folders. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { train, type TrainOptions } from './trainer.js';
import { ModelFolder } from './core/model-folder.js';
import type { TrainConfig } from './config.js';
import { previewGrid, cellOrigin, PREVIEW_GAP } from './preview.js';
import { createModel } from '../models/registry.js';
import { loadTrainedModel } from '../models/trained.js';
import { manualSeed, rand, tidy, noGrad, type Tensor } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

let A = '',
  B = '';
before(async () => {
  [A, B] = [await extractedFaces('grid_s1', 6), await extractedFaces('grid_s2', 6)];
});

const quick = (modelDir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  a: A,
  b: B,
  modelDir,
  model: 'lightweight',
  batchSize: 4,
  iterations: 10,
  saveEvery: 5,
  previewEvery: 5,
  logEvery: 1,
  ...extra,
});

test('lightweight: the loss falls by at least half on a few real faces', async () => {
  const dir = join(testTmp(), 'learn');
  const s = await train(
    quick(dir, {
      iterations: 60, // the loss is at about 0.3 of its start by then (0.5 at 40)
      lr: 5e-4,
      augment: false,
      loss: ['mae'],
      precision: 'auto',
      saveEvery: 60,
      previewEvery: 60,
      logEvery: 1,
    }),
  );
  const log = new ModelFolder(dir).readLog();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
  const first = mean(log.slice(0, 5).map((e) => (e.lossA! + e.lossB!) / 2)),
    last = mean(log.slice(-5).map((e) => (e.lossA! + e.lossB!) / 2));
  assert.equal(s.iteration, 60);
  assert.ok(last < first / 2, `loss fell from ${first.toFixed(4)} to ${last.toFixed(4)}`);
});

test('a resumed run continues the iteration count and the exact loss curve of an uninterrupted one', async () => {
  const whole = join(testTmp(), 'whole'),
    parts = join(testTmp(), 'parts');
  await train(quick(whole, { iterations: 10 }));
  const first = await train(quick(parts, { iterations: 5 }));
  assert.equal(first.iteration, 5);
  const second = await train(quick(parts, { iterations: 10 }));
  assert.equal(second.startIteration, 5);
  assert.equal(second.iteration, 10);
  const a = new ModelFolder(whole).readLog(),
    b = new ModelFolder(parts).readLog();
  assert.deepEqual(
    b.map((e) => e.iteration),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  a.forEach((e, i) => {
    assert.ok(
      Math.abs(e.lossA! - b[i]!.lossA!) < 1e-5 && Math.abs(e.lossB! - b[i]!.lossB!) < 1e-5,
      `iteration ${e.iteration}: ${e.lossA} vs ${b[i]!.lossA}`,
    );
  });
  const state = new ModelFolder(parts).readState();
  assert.equal(state.iteration, 10);
  assert.ok(existsSync(join(parts, 'backup', 'model.safetensors')), 'a backup of the best checkpoint is kept');
});

test('a saved model loads into a fresh one and gives identical outputs', async () => {
  const dir = join(testTmp(), 'whole');
  const folder = new ModelFolder(dir);
  const config = folder.readConfig<TrainConfig>();
  manualSeed(1);
  const m1 = createModel(config.model, { mask: config.mask }),
    m2 = createModel(config.model, { mask: config.mask });
  folder.loadModule('model', m1);
  folder.loadModule('model', m2);
  const x = rand([2, 3, 64, 64]);
  const [y1, y2] = noGrad(() =>
    tidy(() => [m1.eval().forward(x, 'b').data() as Float32Array, m2.eval().forward(x, 'b').data() as Float32Array]),
  );
  assert.deepEqual(y1, y2);
  const fresh = createModel(config.model);
  const y3 = noGrad(() => tidy(() => fresh.forward(x, 'b').data() as Float32Array));
  assert.notDeepEqual(y1, y3, 'the trained weights are not a fresh model');
  for (const m of [m1, m2, fresh]) m.dispose();
  x.dispose();
});

test('the preview grid: A, A>A, A>B | B, B>B, B>A, one row per preview face', async () => {
  const size = 4,
    header = 2;
  const cell = (v: number) => new Float32Array(3 * size * size).fill(v);
  const rows = [
    [cell(0.1), cell(0.2), cell(0.3), cell(0.4), cell(0.5), cell(0.6)],
    [cell(0.7), undefined, cell(0.8), cell(0.9), cell(1), cell(0)],
  ];
  const g = previewGrid(rows, size, header);
  assert.equal(g.width, 6 * size + PREVIEW_GAP);
  assert.equal(g.height, header + 2 * size);
  const at = (r: number, c: number) => {
    const [x, y] = cellOrigin(r, c, size, header);
    return g.data[(y * g.width + x) * 3]!;
  };
  assert.equal(at(0, 0), Math.round(0.1 * 255));
  assert.equal(at(0, 3), Math.round(0.4 * 255), 'the B block starts after the gap');
  assert.equal(at(1, 1), 0, 'a missing cell stays black');
  assert.equal(at(1, 2), Math.round(0.8 * 255));
  const meta = await sharp(join(testTmp(), 'whole', 'previews', 'preview.png')).metadata();
  assert.equal(meta.width, (6 * 64 + PREVIEW_GAP) * 2);
  assert.equal(meta.height, (12 + 4 * 64) * 2);
});

test('bad folders and settings give clear errors', async () => {
  const empty = join(testTmp(), 'empty');
  mkdirSync(empty, { recursive: true });
  const small = join(testTmp(), 'small');
  mkdirSync(small, { recursive: true });
  writeFileSync(
    join(small, 'face.png'),
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } })
      .png()
      .toBuffer(),
  );
  const cases: [Partial<TrainOptions>, string, RegExp][] = [
    [{ a: empty }, ErrorCodes.BAD_FILE, /holds no face images/],
    [{ a: join(testTmp(), 'missing') }, ErrorCodes.BAD_FILE, /No folder of faces A/],
    [{ b: small }, ErrorCodes.BAD_FILE, /at least 64 px.*--size/],
    [{ b: A }, ErrorCodes.USAGE, /same folder/],
    [
      { modelDir: join(testTmp(), 'whole'), model: 'original' },
      ErrorCodes.BAD_MODEL,
      /made with --model "lightweight"/,
    ],
    [{ modelDir: join(testTmp(), 'whole'), seed: 3 }, ErrorCodes.BAD_MODEL, /--seed/],
  ];
  for (const [o, code, message] of cases) {
    await assert.rejects(
      train(quick(join(testTmp(), 'bad'), o)),
      (e: unknown) => e instanceof FaceganError && e.code === code && message.test(e.message),
      JSON.stringify(o),
    );
  }
  const damaged = join(testTmp(), 'damaged');
  mkdirSync(damaged, { recursive: true });
  writeFileSync(join(damaged, 'config.json'), readFileSync(join(testTmp(), 'whole', 'config.json')));
  writeFileSync(join(damaged, 'state.json'), '{not json');
  await assert.rejects(
    train(quick(damaged)),
    (e: unknown) => e instanceof FaceganError && e.code === ErrorCodes.BAD_MODEL && /damaged/.test(e.message),
  );
  assert.equal(readFileSync(join(damaged, 'state.json'), 'utf8'), '{not json', 'a damaged folder is left as it was');
});

test('--gan and --mask: discriminators and the mask channel train, save and resume', async () => {
  const dir = join(testTmp(), 'gan');
  const first = await train(quick(dir, { iterations: 2, gan: true, mask: true, saveEvery: 2, previewEvery: 2 }));
  assert.ok(Number.isFinite(first.losses.lossA) && Number.isFinite(first.losses.lossB));
  for (const f of ['disc_a.safetensors', 'disc_b.safetensors', 'disc_a-optimizer.safetensors'])
    assert.ok(existsSync(join(dir, f)), f);
  const log = new ModelFolder(dir).readLog();
  assert.ok(
    log.every((e) => Number.isFinite(e.discA) && Number.isFinite(e.discB)),
    'discriminator losses are logged',
  );
  const second = await train(quick(dir, { iterations: 3 }));
  assert.equal(second.iteration, 3);
  assert.equal(second.config.gan, true, 'the folder keeps --gan');
  const m = createModel('lightweight', { mask: true });
  new ModelFolder(dir).loadModule('model', m);
  const y = noGrad(() => tidy(() => m.forward(rand([1, 3, 64, 64]), 'a').shape));
  assert.deepEqual(y, [1, 4, 64, 64], 'face and mask channels');
  m.dispose();
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  const what = signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM (docker stop)';
  test(`${what} during facegan train, sent twice, writes a whole checkpoint and exits 130`, {
    timeout: 120_000,
  }, async (t) => {
    const dir = join(testTmp(), signal);
    const bin = fileURLToPath(new URL('../../bin/facegan.js', import.meta.url));
    const args = [
      bin,
      'train',
      '-A',
      A,
      '-B',
      B,
      '-m',
      dir,
      '--batch-size',
      '2',
      '--iterations',
      '100000',
      '--save-every',
      '100000',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    const started = new Promise<void>((res) =>
      child.stderr.on('data', (s: string) => {
        err += s;
        if (/iteration [1-9]\d/.test(err)) res(); // past the start, when batches wait ready ahead
      }),
    );
    const exited = new Promise<number | null>((res) => child.on('close', res));
    t.after(() => child.kill('SIGKILL'));
    await started;
    child.kill(signal);
    // a second one, as an impatient user sends, while the checkpoint is being written: it must not cut it short
    await new Promise((res) => setTimeout(res, 20));
    child.kill(signal);
    assert.equal(await exited, 130, err.slice(-500));
    assert.match(err, /saving a checkpoint/);
    assert.match(err, /still stopping cleanly/);
    const state = new ModelFolder(dir).readState();
    new ModelFolder(dir).verify(state);
    assert.ok(state.iteration >= 1 && state.iteration < 100000, `checkpoint at iteration ${state.iteration}`);
    assert.ok(!existsSync(join(dir, '.facegan.lock')), 'the lock is released');
  });
}

const evaluatorTitle =
  "an evaluator runs every n iterations on the model in eval mode, and its figures join that iteration's log entry";
test(evaluatorTitle, async () => {
  const dir = join(testTmp(), 'evaluated');
  const seen: { iteration: number; training: boolean; size: number; mean: number }[] = [];
  await train(
    quick(dir, {
      iterations: 6,
      logEvery: 4,
      evaluator: {
        every: 3,
        run: async (target) => {
          assert.ok(!('generator' in target), 'a pair model is evaluated as a swap model');
          const { model, geometry, iteration } = target;
          const mean = noGrad(() =>
            tidy(() =>
              model
                .forward(rand([1, 3, geometry.size, geometry.size]), 'b')
                .mean()
                .item(),
            ),
          );
          seen.push({
            iteration,
            training: (model as unknown as { training: boolean }).training,
            size: geometry.size,
            mean,
          });
          return { evalMean: mean };
        },
      },
    }),
  );
  assert.deepEqual(
    seen.map((s) => [s.iteration, s.training, s.size]),
    [
      [3, false, 64],
      [6, false, 64],
    ],
  );
  const log = new ModelFolder(dir).readLog();
  assert.deepEqual(
    log.map((e) => e.iteration),
    [3, 4, 6],
    'one entry per iteration: logEvery 4, evaluations at 3 and 6',
  );
  assert.deepEqual(
    log.filter((e) => 'evalMean' in e).map((e) => e.evalMean),
    seen.map((s) => s.mean),
  );
});

const bestEvalTitle =
  'the checkpoint whose evaluation scored best is kept whole in best-eval/, even when later ones score worse';
test(bestEvalTitle, async () => {
  const dir = join(testTmp(), 'best-eval');
  const scores: Record<number, number> = { 2: 1, 4: 3, 6: 2, 8: 0 }; // rises, then decays
  await train(
    quick(dir, {
      iterations: 8,
      saveEvery: 5,
      evaluator: {
        every: 2,
        run: async ({ iteration }) => ({ evalScore: scores[iteration]! }),
        score: (f) => f.evalScore!,
      },
    }),
  );
  const best = new ModelFolder(join(dir, 'best-eval'));
  const state = best.readState();
  assert.equal(state.iteration, 4, 'the copy is of the best-scoring iteration');
  best.verify(state); // a whole checkpoint: its files match its state.json
  assert.deepEqual(new ModelFolder(dir).readState().bestEval, { score: 3, iteration: 4 });
  const loaded = loadTrainedModel(join(dir, 'best-eval'), 'cpu');
  assert.equal(loaded.iteration, 4, 'it loads as a model folder of its own');
  loaded.model.dispose();
});

test('--ema: averaged weights are saved, lag the last step, make the outputs, join a folder without them', async () => {
  const dir = join(testTmp(), 'ema');
  await train(quick(dir, { iterations: 20, saveEvery: 10, ema: 5, augment: false }));
  const folder = new ModelFolder(dir);
  assert.ok(existsSync(join(dir, 'ema.safetensors')), 'ema.safetensors written');
  assert.ok(folder.readState().files?.includes('ema.safetensors'), 'the checkpoint lists it (backups copy it)');
  manualSeed(3);
  const x = rand([2, 3, 64, 64]);
  const out = (m: { forward(x: Tensor, s: 'b'): Tensor }) =>
    noGrad(() => tidy(() => m.forward(x, 'b').data() as Float32Array));
  const raw = createModel('lightweight'),
    avg = createModel('lightweight');
  folder.loadModule('model', raw);
  folder.loadModule('ema', avg);
  raw.eval();
  avg.eval();
  const [yRaw, yAvg] = [out(raw), out(avg)];
  const diff = yRaw.reduce((s, v, i) => s + Math.abs(v - yAvg[i]!), 0) / yRaw.length;
  assert.ok(diff > 1e-4, `the average differs from the last step (mean |diff| ${diff})`);
  const trained = loadTrainedModel(dir);
  assert.deepEqual(out(trained.model), yAvg, 'convert and eval use the averaged weights');

  // --ema 0 trains without them; turned on later, the average starts as a copy of the weights
  const off = join(testTmp(), 'ema-off');
  await train(quick(off, { iterations: 10, ema: 0, augment: false }));
  assert.ok(!existsSync(join(off, 'ema.safetensors')));
  assert.deepEqual(
    out(loadTrainedModel(off).model),
    (() => {
      const m = createModel('lightweight');
      new ModelFolder(off).loadModule('model', m);
      return out(m.eval());
    })(),
  );
  const s = await train(quick(off, { iterations: 15, ema: 5 }));
  assert.equal(s.iteration, 15);
  assert.ok(existsSync(join(off, 'ema.safetensors')), 'resumed with --ema: the average is kept from then on');
  for (const m of [raw, avg, trained.model]) m.dispose();
  x.dispose();
});
