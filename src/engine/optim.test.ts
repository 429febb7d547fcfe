import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Adam,
  AdamW,
  clipGradNorm,
  tensor,
  rand,
  tidy,
  manualSeed,
  saveSafetensors,
  loadSafetensors,
  mseLoss,
  type OptimizerState,
  type AdamKernel,
} from './index.js';
import { Linear, Sequential, Tanh } from '../nn/index.js';
import { assertClose } from '../testing/assert.js';
import { testTmp } from '../testing/tmp.js';

/** Adam in plain JS on one parameter vector whose loss is sum(p^2) (gradient 2p). */
function referenceAdam(
  p: number[],
  steps: number,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  decoupled: boolean,
): number[] {
  const m = p.map(() => 0),
    v = p.map(() => 0);
  p = [...p];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < p.length; i++) {
      let g = 2 * p[i]!;
      if (wd && decoupled) p[i]! *= 1 - lr * wd;
      else if (wd) g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mhat = m[i]! / (1 - b1 ** t),
        vhat = v[i]! / (1 - b2 ** t);
      p[i]! -= (lr * mhat) / (Math.sqrt(vhat) + eps);
    }
  }
  return p;
}

const cases = [
  { name: 'Adam', make: Adam, wd: 0, decoupled: false, lr: 0.1, betas: [0.9, 0.999] as const, eps: 1e-8 },
  {
    name: 'Adam, faceswap settings',
    make: Adam,
    wd: 0,
    decoupled: false,
    lr: 5e-5,
    betas: [0.5, 0.999] as const,
    eps: 1e-7,
  },
  {
    name: 'Adam with L2 weight decay',
    make: Adam,
    wd: 0.1,
    decoupled: false,
    lr: 0.05,
    betas: [0.9, 0.99] as const,
    eps: 1e-8,
  },
  { name: 'AdamW', make: AdamW, wd: 0.1, decoupled: true, lr: 0.05, betas: [0.9, 0.99] as const, eps: 1e-8 },
];

const KERNELS: AdamKernel[] = ['fused', 'foreach', 'loop'];

for (const [c, kernel] of cases.flatMap((c) => KERNELS.map((k) => [c, k] as const))) {
  test(`${c.name} (${kernel}) matches the update rule computed by hand`, () => {
    const start = [1, -2, 0.5];
    const p = tensor(start, { dtype: 'float64' }).requiresGrad_();
    const opt = new c.make([p], { lr: c.lr, betas: c.betas, eps: c.eps, weightDecay: c.wd, kernel });
    for (let i = 0; i < 5; i++)
      tidy(() => {
        opt.zeroGrad();
        p.square().sum().backward();
        opt.step();
      });
    assertClose(p, referenceAdam(start, 5, c.lr, c.betas[0], c.betas[1], c.eps, c.wd, c.decoupled), 1e-9);
    assert.equal(opt.stepCount, 5);
  });
}

for (const [make, weightDecay] of [
  [Adam, 0],
  [Adam, 0.1],
  [AdamW, 0.1],
] as const) {
  test(`${make.name} (wd ${weightDecay}): the fused and foreach kernels give the loop's float32 updates`, () => {
    const run = (kernel: AdamKernel) => {
      manualSeed(3);
      // 40,000 weights: the fused kernel splits them over threads and runs the vectorised path
      const net = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 5000), new Tanh(), new Linear(5000, 1));
      const unused = tensor([1, 2]).requiresGrad_(); // no gradient: left as it is
      const opt = new make([...net.parameters(), unused], { lr: 0.01, weightDecay, kernel });
      const x = rand([16, 4]),
        y = rand([16, 1]);
      for (let i = 0; i < 3; i++)
        tidy(() => {
          opt.zeroGrad();
          mseLoss(net.forward(x), y).backward();
          opt.step();
        });
      return [...net.parameters(), unused].map((t) => t.toNumbers());
    };
    const [loop, foreach, fused] = [run('loop'), run('foreach'), run('fused')];
    assert.deepEqual(foreach, loop); // the same tensor ops
    for (const [k, values] of fused.entries()) {
      // the same arithmetic in one pass: at most rounding apart (a vectorised add may fuse a multiply)
      const worst = Math.max(...values.map((x, i) => Math.abs(x - loop[k]![i]!) / (Math.abs(loop[k]![i]!) + 1e-3)));
      assert.ok(worst < 1e-5, `parameter ${k}: fused differs from the loop by ${worst} (relative)`);
    }
    assert.deepEqual(fused.at(-1), [1, 2]);
  });
}

test('Adam refuses settings out of range', () => {
  const p = tensor([1]).requiresGrad_();
  assert.throws(() => new Adam([p], { lr: -1 }), /Expected a number in \[0, 10\] for lr but received -1/);
  assert.throws(() => new Adam([p], { betas: [1, 0.9] }), /betas\[0\]/);
  assert.throws(() => new Adam([]), /at least one parameter/);
  assert.throws(() => new Adam([p], { kernel: 'fast' as AdamKernel }), /'fused', 'foreach' or 'loop' for kernel/);
});

test('clipGradNorm scales gradients to the maximum norm and reports the norm before', () => {
  const a = tensor([3, 0]).requiresGrad_();
  const b = tensor([0, 4]).requiresGrad_();
  a.mul(tensor([3, 0]))
    .sum()
    .add(b.mul(tensor([0, 4])).sum())
    .backward(); // grads [3,0] and [0,4]: norm 5
  assertClose(clipGradNorm([a, b], 1), 5);
  assertClose(a.grad!, [0.6, 0], 1e-5);
  assertClose(b.grad!, [0, 0.8], 1e-5);
  assertClose(clipGradNorm([a, b], 10), 1, 1e-5); // under the limit: unchanged
  assertClose(b.grad!, [0, 0.8], 1e-5);
});

test('optimizer state saved and restored continues training exactly', () => {
  const dir = mkdtempSync(join(testTmp(), 'facegan-optim-'));
  try {
    const make = (seed: number) => {
      manualSeed(seed);
      return new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 1));
    };
    manualSeed(5);
    const x = rand([16, 4]);
    const y = rand([16, 1]);
    const train = (net: Sequential, opt: Adam, n: number) => {
      for (let i = 0; i < n; i++)
        tidy(() => {
          opt.zeroGrad();
          mseLoss(net.forward(x), y).backward();
          opt.step();
        });
    };
    const net = make(1);
    const opt = new Adam(net, { lr: 0.01 });
    train(net, opt, 3);
    saveSafetensors(join(dir, 'model.safetensors'), net.stateDict());
    const state = opt.stateDict();
    saveSafetensors(join(dir, 'optimizer.safetensors'), state.tensors, { meta: JSON.stringify(state.meta) });
    train(net, opt, 4);

    const net2 = make(99);
    net2.loadStateDict(loadSafetensors(join(dir, 'model.safetensors')).tensors);
    const opt2 = new Adam(net2, { lr: 0.01 });
    const saved = loadSafetensors(join(dir, 'optimizer.safetensors'));
    opt2.loadStateDict({ tensors: saved.tensors, meta: JSON.parse(saved.metadata.meta!) as OptimizerState['meta'] });
    assert.equal(opt2.stepCount, 3);
    train(net2, opt2, 4);
    for (const [[n, a], [, b]] of net.namedParameters().map((e, i) => [e, net2.namedParameters()[i]!] as const)) {
      assertClose(b, a.toNumbers(), 0, n);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
