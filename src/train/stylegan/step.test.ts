/** One StyleGAN2 iteration: losses, R1 against finite differences, the EMA, lazy Adam, determinism. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam,
  type Module,
  type Tensor,
  autocast,
  grad,
  manualSeed,
  rand,
  tensor,
  tidy,
  noGrad,
} from '../../engine/index.js';
import { Random } from '../../core/random.js';
import { StyleDiscriminator, StyleGenerator, type StyleGanSpec } from '../../models/stylegan/index.js';
import { lazyAdam, r1Penalty, styleganStep, type StyleGanParts } from './step.js';
import { emaBeta } from './ema.js';
import { updateEma } from '../core/ema.js';
import { augmenter } from './diffaugment.js';

const spec: StyleGanSpec = { size: 16, zDim: 32, mapping: 2, channelBase: 256, channelMax: 32 };
const settings = { batchSize: 4, seed: 9, r1Gamma: 1, r1Interval: 4, mixing: 0.9, emaKimg: 0.01 };

function build(seed = 0): StyleGanParts {
  manualSeed(seed);
  const G = new StyleGenerator(spec),
    D = new StyleDiscriminator(spec),
    ema = new StyleGenerator(spec);
  ema.loadStateDict(G.stateDict());
  const d = lazyAdam(0.002, [0, 0.99], settings.r1Interval);
  return {
    G,
    D,
    ema,
    optG: new Adam(G, { lr: 0.002, betas: [0, 0.99] }),
    optD: new Adam(D, d),
    device: 'cpu',
    autocast: (fn) => fn(),
    // every augmentation, so that R1 differentiates through them twice
    augment: augmenter(['color', 'translation', 'cutout'], seed),
  };
}
const flat = (m: Module) => tidy(() => m.parameters().flatMap((p) => p.detach().flatten().toNumbers()));
const dispose = (p: StyleGanParts) => {
  p.G.dispose();
  p.D.dispose();
  p.ema?.dispose();
};

test('one iteration gives finite losses, R1 on its interval, and changes G, D and the EMA', () => {
  const parts = build();
  const reals = tidy(() => rand([4, 3, 16, 16]).mul(2).sub(1));
  const [g0, d0, e0] = [flat(parts.G), flat(parts.D), flat(parts.ema!)];
  const losses = styleganStep(parts, reals, 0, settings, 0);
  assert.deepEqual(Object.keys(losses).sort(), ['lossD', 'lossG', 'r1']);
  assert.ok(Object.values(losses).every(Number.isFinite), JSON.stringify(losses));
  assert.ok(losses.r1! > 0, 'R1 is positive');
  const changed = (a: number[], b: number[]) => a.some((x, i) => x !== b[i]);
  assert.ok(changed(g0, flat(parts.G)), 'G changed');
  assert.ok(changed(d0, flat(parts.D)), 'D changed');
  assert.ok(changed(e0, flat(parts.ema!)), 'the EMA moved');
  assert.ok(!('r1' in styleganStep(parts, reals, 1, settings, 4)), 'no R1 between intervals');
  dispose(parts);
  reals.dispose();
});

test('an iteration under bf16 autocast gives finite losses, R1 included', () => {
  const parts = { ...build(2), autocast: <T>(fn: () => T) => autocast('cpu', 'bfloat16', fn) };
  const reals = tidy(() => rand([4, 3, 16, 16]).mul(2).sub(1));
  const losses = styleganStep(parts, reals, 0, { ...settings, mixing: 1 }, 0);
  assert.ok(Object.values(losses).every(Number.isFinite) && 'r1' in losses, JSON.stringify(losses));
  assert.equal(parts.G.mapping.wAvg.dtype, 'float32', 'the mean w stays float32');
  dispose(parts);
  reals.dispose();
});

test('R1 is the squared norm of the gradient of D at the reals (finite differences, float64)', () => {
  manualSeed(5);
  const D = new StyleDiscriminator({ ...spec, size: 8, channelBase: 64, channelMax: 8 }).to('cpu', 'float64');
  tidy(() => {
    const x = rand([2, 3, 8, 8], { dtype: 'float64' }).mul(2).sub(1);
    const penalty = r1Penalty(D, x, { autocast: (fn) => fn() }).item();
    const xg = x.detach().requiresGrad_();
    const g = grad([D.forward(xg).sum()], [xg])[0]!
      .flatten()
      .toNumbers();
    const per = 3 * 8 * 8;
    const norms = [0, 1].map((n) => g.slice(n * per, (n + 1) * per).reduce((s, v) => s + v * v, 0));
    assert.ok(Math.abs(penalty - (norms[0]! + norms[1]!) / 2) < 1e-9, `R1 ${penalty} against ${norms}`);
    // the gradient itself, against central differences at 40 places
    const base = x.flatten().toNumbers(),
      h = 1e-5;
    const f = (v: number[]) =>
      noGrad(() =>
        D.forward(tensor(v, { shape: [2, 3, 8, 8], dtype: 'float64' }))
          .sum()
          .item(),
      );
    const rng = new Random(5);
    for (let k = 0; k < 40; k++) {
      const i = rng.int(base.length),
        up = [...base],
        down = [...base];
      up[i]! += h;
      down[i]! -= h;
      const fd = (f(up) - f(down)) / (2 * h);
      assert.ok(Math.abs(fd - g[i]!) < 1e-6 * Math.max(1, Math.abs(fd)), `element ${i}: ${g[i]} against ${fd}`);
    }
  });
  D.dispose();
});

test('the EMA follows ema = p + beta (ema - p), copies buffers, and its half-life ramps up', () => {
  manualSeed(6);
  const G = new StyleGenerator(spec),
    ema = new StyleGenerator(spec);
  const p0 = flat(G),
    e0 = flat(ema);
  tidy(() => G.mapping.wAvg.copy_(tensor(Array.from({ length: 32 }, (_, i) => i / 10))));
  updateEma(ema, G, 0.9);
  const e1 = flat(ema);
  // relative to the weights' size (float32; the mapping network's weights are N(0, 1) / 0.01)
  const off = (e: number, i: number) =>
    Math.abs(e - (p0[i]! + 0.9 * (e0[i]! - p0[i]!))) / Math.max(1, Math.abs(p0[i]!), Math.abs(e0[i]!));
  const worst = e1.reduce((m, e, i) => Math.max(m, off(e, i)), 0);
  assert.ok(worst < 1e-6, `largest relative difference from the formula ${worst}`);
  assert.deepEqual(ema.mapping.wAvg.toNumbers(), G.mapping.wAvg.toNumbers(), 'buffers copied');
  assert.ok(Math.abs(emaBeta(16, 1e9, 10) - 0.5 ** (16 / 10000)) < 1e-12, 'half-life of 10 kimg');
  assert.ok(emaBeta(16, 1000, 10) < emaBeta(16, 100000, 10), 'shorter half-life early (ramp-up)');
  G.dispose();
  ema.dispose();
});

test('lazy regularisation scales Adam: lr and betas to the power interval / (interval + 1)', () => {
  const { lr, betas } = lazyAdam(0.0025, [0, 0.99], 16);
  assert.ok(Math.abs(lr - (0.0025 * 16) / 17) < 1e-12);
  assert.equal(betas[0], 0);
  assert.ok(Math.abs(betas[1] - 0.99 ** (16 / 17)) < 1e-12);
});

test('iterations are a pure function of (seed, iteration): two runs give the same weights', () => {
  const run = () => {
    const parts = build(1);
    const reals = tidy(() => rand([4, 3, 16, 16]).mul(2).sub(1));
    const losses = [0, 1, 2].map((i) => styleganStep(parts, reals, i, settings, 4 * i));
    const out = { losses, g: flat(parts.G), d: flat(parts.D) };
    dispose(parts);
    (reals as Tensor).dispose();
    return out;
  };
  const a = run(),
    b = run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.g, b.g);
  assert.deepEqual(a.d, b.d);
});
