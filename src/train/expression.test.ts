/**
 * The expression loss (--expression-weight): its probe learns to read a mouth's opening from real faces, and train
 * with it logs both losses, resumes exactly and refuses faces without landmarks.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { extractedFaces, testTmp } from '../testing/faces.js';
import {
  Adam,
  cat,
  manualSeed,
  noGrad,
  rand,
  tensor,
  tidy,
  zeroGrad,
  type Module,
  type Tensor,
} from '../engine/index.js';
import { assertClose } from '../testing/assert.js';
import { createModel } from '../models/registry.js';
import { MEAN_FACE, type Point } from '../core/geometry/meanface.js';
import { ExpressionLoss, labelledMse, MOUTH_SCALE } from './expression.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { Random } from '../core/random.js';
import { ExpressionProbe } from '../models/expression-probe.js';
import { mouthOpening } from '../faces/expression.js';
import { loadFaceset } from './faceset.js';
import { previewBatch } from './batches.js';
import { NO_AUGMENT } from './augment.js';
import { train, type TrainOptions } from './trainer.js';
import { ModelFolder } from './core/model-folder.js';

const toCpu = (data: Float32Array, shape: number[]) => tensor(data, { shape });

/** 68 landmarks: the mean face at 100 px, its lower inner lip lowered by `open` px. */
function mouthShape(open: number): Point[] {
  const outline = Array.from({ length: 17 }, (_, i): Point => [i / 16, 0.5 + Math.sin((i / 16) * Math.PI) / 2]);
  const pts = [...outline, ...MEAN_FACE].map(([x, y]) => [x * 100 + 50, y * 100 + 50] as [number, number]);
  for (const i of [65, 66, 67]) pts[i]![1] += open;
  return pts;
}

/** A face source of landmarks only (the loss reads no pixels). */
const faceWith = (landmarks: Point[]) => ({ image: { width: 0, height: 0, data: new Uint8Array(0) }, landmarks });

let OBAMA = '',
  S2 = '';
before(async () => {
  [OBAMA, S2] = [await extractedFaces('obama', 64), await extractedFaces('grid_s2', 6)];
});

test("the expression probe learns to read a mouth's opening, on frames it did not train on", async () => {
  const set = await loadFaceset(OBAMA, 64, 'faces');
  const o = { size: 64, coverage: 0.8, augment: NO_AUGMENT, eyeWeight: 1, mouthWeight: 1 };
  const batch = previewBatch(set.faces, set.faces.length, o);
  const n = batch.faces.length;
  const labels = batch.faces.map((f) => mouthOpening(set.faces[f]!.landmarks!) * MOUTH_SCALE);
  const images = tensor(batch.target, { shape: [n, 3, 64, 64] });
  // the last quarter of the frames held out (a stretch of the clips it did not see)
  const [fit, held] = [false, true].map((h) =>
    Array.from({ length: n }, (_, i) => i).filter((i) => i >= 0.75 * n === h),
  );
  const pick = (idx: number[]) => ({
    x: images.indexSelect(0, tensor(BigInt64Array.from(idx, BigInt))),
    y: tensor(Float32Array.from(idx, (i) => labels[i]!)),
  });
  const [train_, test_] = [pick(fit!), pick(held!)];
  manualSeed(5);
  const probe = new ExpressionProbe(64);
  const opt = new Adam(probe.parameters(), { lr: 1e-3 });
  const rng = new Random(5);
  for (let i = 0; i < 400; i++) {
    const draw = BigInt64Array.from({ length: 16 }, () => BigInt(Math.floor(rng.next() * fit!.length)));
    opt.zeroGrad();
    tidy(() => {
      const j = tensor(draw);
      probe.forward(train_.x.indexSelect(0, j)).sub(train_.y.indexSelect(0, j)).square().mean().backward();
    });
    opt.step();
  }
  const error = noGrad(() => tidy(() => probe.forward(test_.x).sub(test_.y).square().mean().item()));
  const mean = held!.reduce((s, i) => s + labels[i]!, 0) / held!.length;
  const variance = held!.reduce((s, i) => s + (labels[i]! - mean) ** 2, 0) / held!.length;
  assert.ok(variance > 0.01, `the held-out mouths differ (variance ${variance})`);
  assert.ok(error < 0.75 * variance, `held-out error ${error.toFixed(4)} against the labels' variance ${variance}`);
  for (const t of [images, train_.x, train_.y, test_.x, test_.y]) t.dispose();
  probe.dispose();
});

for (const mask of [false, true]) {
  const title = `the swap term moves the encoder as the loss through the model would, not the decoders (mask: ${mask})`;
  test(title, () => {
    manualSeed(7);
    const model = createModel('lightweight', { mask });
    const faces = Array.from({ length: 4 }, (_, i) => faceWith(mouthShape(i)));
    const loss = new ExpressionLoss({ a: faces, b: faces }, 64);
    const [a, b] = [rand([3, 3, 64, 64]), rand([2, 3, 64, 64])];
    const targets = [...loss.swapTargets('a', [0, 1]), ...loss.swapTargets('b', [3])];
    const everything = [...model.parameters(), ...loss.probe.parameters()];
    const grads = (part: Module) => tidy(() => part.parameters().map((p) => (p.grad ? p.grad.toNumbers() : [])));
    const rgb = (y: Tensor) => (mask ? y.narrow(1, 0, 3) : y);
    try {
      // directly: the swapped faces through the whole graph
      zeroGrad(everything);
      tidy(() => {
        const swapped = cat([model.forward(a.narrow(0, 0, 2), 'b'), model.forward(b.narrow(0, 0, 1), 'a')], 0);
        labelledMse(toCpu, loss.probe.forward(rgb(swapped)), targets).backward();
      });
      const direct = grads(model.enc);
      assert.ok(
        direct.some((g) => g.some((v) => v !== 0)),
        'the loss has an encoder gradient',
      );
      // the surrogate, from the codes of both batches
      zeroGrad(everything);
      const value = tidy(() => {
        const codes = model.forwardPair(a, b, { codes: true }).codes!;
        const term = loss.swapTerm(toCpu, model, codes, 3, { a: 2, b: 1 }, targets);
        term.surrogate.backward();
        return term.value.item();
      });
      assert.ok(Number.isFinite(value) && value > 0, `loss ${value}`);
      tidy(() =>
        grads(model.enc).forEach((g, i) => assertClose(tensor(Float32Array.from(g)), direct[i]!, 1e-4, `encoder ${i}`)),
      );
      for (const part of [model.dec_a, model.dec_b, loss.probe]) {
        const moved = grads(part).filter((g) => g.some((v) => v !== 0)).length;
        assert.equal(moved, 0, 'no gradient reaches the decoders or the probe');
      }
    } finally {
      for (const t of [a, b]) t.dispose();
      model.dispose();
      loss.probe.dispose();
    }
  });
}

test('one step with the loss on moves the encoder differently and the decoders the same', async () => {
  const step = async (expressionWeight: number) => {
    const dir = join(testTmp(), `expr-step-${expressionWeight}`);
    await train(quick(dir, { iterations: 1, expressionWeight, ema: 0 }));
    const model = createModel('lightweight');
    new ModelFolder(dir).loadModule('model', model);
    const parts = { enc: grads(model.enc), dec_a: grads(model.dec_a), dec_b: grads(model.dec_b) };
    model.dispose();
    return parts;
  };
  const grads = (part: Module) => tidy(() => part.parameters().map((p) => p.toNumbers() as number[]));
  const [off, on] = [await step(0), await step(5)];
  assert.deepEqual(on.dec_a, off.dec_a, 'decoder A as without the loss');
  assert.deepEqual(on.dec_b, off.dec_b, 'decoder B as without the loss');
  assert.notDeepEqual(on.enc, off.enc, 'the encoder moved by the loss');
});

test("swap targets put a face's opening in the other person's range", () => {
  const narrow = Array.from({ length: 4 }, (_, i) => faceWith(mouthShape(i)));
  const wide = Array.from({ length: 4 }, (_, i) => faceWith(mouthShape(3 * i)));
  const loss = new ExpressionLoss({ a: wide, b: narrow }, 64);
  const stats = (xs: readonly number[]) => {
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    return [mean, Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length)] as const;
  };
  const [fromA, own] = [loss.swapTargets('a', [0, 1, 2, 3]), Array.from(loss.labels.b)];
  const [[m, sd], [mb, sdb], [ma, sda]] = [stats(fromA), stats(own), stats(Array.from(loss.labels.a))];
  assert.ok(sda > 2 * sdb, `A's mouths open wider (${sda} against ${sdb})`);
  assert.ok(Math.abs(m - mb) < 1e-5 && Math.abs(sd - sdb) < 1e-5, `mapped ${m} +- ${sd}, B's own ${mb} +- ${sdb}`);
  assert.ok(ma > mb, 'A opens wider on average');
  assert.deepEqual(
    fromA.map((_, i) => i).sort((i, j) => fromA[i]! - fromA[j]!),
    [0, 1, 2, 3],
    'the order of the openings is kept',
  );
});

const quick = (modelDir: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  a: OBAMA,
  b: S2,
  modelDir,
  model: 'lightweight',
  batchSize: 4,
  iterations: 8,
  saveEvery: 4,
  previewEvery: 8,
  logEvery: 1,
  expressionWeight: 1,
  ...extra,
});

test('train --expression-weight logs the expression and probe losses and resumes them exactly', async () => {
  const whole = join(testTmp(), 'expr-whole'),
    parts = join(testTmp(), 'expr-parts');
  await train(quick(whole));
  await train(quick(parts, { iterations: 4 }));
  await train(quick(parts));
  const [a, b] = [new ModelFolder(whole).readLog(), new ModelFolder(parts).readLog()];
  assert.equal(a.length, 8);
  assert.equal(b.length, 8);
  a.forEach((e, i) => {
    for (const k of ['expression', 'probe'] as const) {
      assert.ok(Number.isFinite(e[k]) && (e[k] as number) >= 0, `${k} at ${e.iteration}: ${e[k]}`);
      assert.ok(Math.abs((e[k] as number) - (b[i]![k] as number)) < 1e-5, `${k} at ${e.iteration} after resume`);
    }
  });
});

test('turned on when resuming, the loss starts its probe and its ramp there', async () => {
  const dir = join(testTmp(), 'expr-later');
  await train(quick(dir, { iterations: 4, expressionWeight: 0 }));
  await train(quick(dir, { iterations: 6 }));
  const log = new ModelFolder(dir).readLog();
  assert.deepEqual(
    log.map((e) => Number.isFinite(e.expression)),
    [false, false, false, false, true, true],
  );
  const probe = new ExpressionProbe(64);
  new ModelFolder(dir).loadModule('probe', probe);
  assert.equal(probe.since.item(), 4, 'the ramp counts from the iteration the probe began');
  probe.dispose();
});

test('--expression-until ends the loss and its probe after that iteration, and keeps the probe', async () => {
  const dir = join(testTmp(), 'expr-until');
  await train(quick(dir, { iterations: 5, expressionUntil: 3 }));
  const log = new ModelFolder(dir).readLog();
  for (const k of ['expression', 'probe'] as const)
    assert.deepEqual(
      log.map((e) => Number.isFinite(e[k])),
      [true, true, true, false, false],
      k,
    );
  const probe = new ExpressionProbe(64);
  new ModelFolder(dir).loadModule('probe', probe);
  assert.equal(probe.since.item(), 0, 'the probe is kept in the folder, for a run that turns the loss on again');
  probe.dispose();
});

test('--expression-every 2: the swap term every 2nd iteration, the probe every one', async () => {
  const dir = join(testTmp(), 'expr-every');
  await train(quick(dir, { iterations: 5, expressionEvery: 2 }));
  const log = new ModelFolder(dir).readLog();
  assert.deepEqual(
    log.map((e) => Number.isFinite(e.expression)),
    [false, true, false, true, false],
    'expression',
  );
  assert.ok(
    log.every((e) => Number.isFinite(e.probe)),
    'probe',
  );
});

test('--expression-weight refuses faces without landmarks, naming what to do', async () => {
  const plain = join(testTmp(), 'plain-faces');
  mkdirSync(plain, { recursive: true });
  // the same pixels, written again without facegan's record (and so without landmarks)
  for (const f of readdirSync(S2).filter((f) => f.endsWith('.png')))
    writeFileSync(join(plain, f), await sharp(join(S2, f)).png().toBuffer());
  await assert.rejects(
    train(quick(join(testTmp(), 'expr-plain'), { b: plain })),
    (e: unknown) =>
      e instanceof FaceganError && e.code === ErrorCodes.USAGE && /side B.*--expression-weight 0/.test(e.message),
  );
});
