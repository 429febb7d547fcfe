import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Module,
  type Tensor,
  tensor,
  rand,
  empty,
  manualSeed,
  initWeight,
  icnr,
  fans,
  tidy,
  keep,
  liveTensors,
} from './index.js';
import { Conv2d, Linear, Sequential, LeakyReLU, BatchNorm2d, Dropout, PixelShuffle } from '../nn/index.js';
import { ErrorCodes } from '../core/errors.js';
import { assertClose, assertFails, assertShape } from '../testing/assert.js';

class Net extends Module {
  body = new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new LeakyReLU(0.1), new BatchNorm2d(4));
  head = new Linear(4, 2);
  forward(x: Tensor): Tensor {
    return tidy(() => this.head.forward(this.body.forward(x).mean([2, 3])));
  }
}

test('parameters and buffers are named by path, as in PyTorch', () => {
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ['body.0.weight', 'body.0.bias', 'body.2.weight', 'body.2.bias', 'head.weight', 'head.bias'],
  );
  assert.deepEqual(
    net.namedBuffers().map(([n]) => n),
    ['body.2.runningMean', 'body.2.runningVar'],
  );
  assert.equal(net.numParameters(), 4 * 3 * 9 + 4 + 4 + 4 + 8 + 2);
  assert.ok(net.parameters().every((p) => p.requiresGrad));
  assertShape(net.forward(rand([2, 3, 8, 8])), [2, 2]);
});

test('train/eval reach every sub-module and change behaviour', () => {
  const net = new Net();
  net.eval();
  assert.ok(!net.body.layer(2).training);
  const drop = new Sequential(new Dropout(0.5));
  drop.eval();
  const x = rand([100]);
  assertClose(drop.forward(x).sub(x).abs().amax(), 0);
  drop.train();
  assert.ok(drop.forward(x).eq(0).to('float32').sum().item() > 10);
});

test('a state dict loads into a fresh module and gives identical outputs', () => {
  manualSeed(1);
  const a = new Net().eval();
  manualSeed(2);
  const b = new Net().eval();
  const x = rand([1, 3, 5, 5]);
  assert.ok(a.forward(x).sub(b.forward(x)).abs().amax().item() > 0);
  b.loadStateDict(a.stateDict());
  assertClose(b.forward(x), a.forward(x).toNumbers(), 0);
});

test('a state dict of another shape or with other names is refused with a clear error', () => {
  const net = new Net();
  const other = new Map(net.stateDict());
  other.set('head.weight', rand([3, 4]));
  assertFails(() => net.loadStateDict(other), ErrorCodes.BAD_MODEL, /head.weight: model \[2,4\] vs saved \[3,4\]/);
  const renamed = new Map([...net.stateDict()].map(([k, v]) => [k.replace('head', 'tail'), v]));
  assertFails(() => net.loadStateDict(renamed), ErrorCodes.BAD_MODEL, /missing: head.weight.*unexpected: tail.weight/);
  net.loadStateDict(new Map([...net.stateDict()].filter(([k]) => k.startsWith('head'))), { strict: false });
});

test('initialisers draw in the right range and spread', () => {
  manualSeed(0);
  const w = initWeight(empty([256, 64, 3, 3]), 'he-uniform');
  const bound = Math.sqrt(6 / (64 * 9));
  assert.ok(w.abs().amax().item() <= bound + 1e-6);
  assertClose(w.std(), bound / Math.sqrt(3), 0.02);
  const g = initWeight(empty([300, 200]), 'glorot-normal');
  assertClose(g.std(), Math.sqrt(2 / 500), 0.02);
  assert.deepEqual(fans(w), { fanIn: 576, fanOut: 2304 });
  assert.throws(() => initWeight(empty([3, 3]), 'nope' as never), /one of he-uniform/);
});

test('ICNR: a conv + pixel shuffle starts as nearest-neighbour upscaling', () => {
  manualSeed(0);
  const w = icnr(empty([16, 3, 3, 3]), 2);
  for (let c = 0; c < 4; c++) {
    const first = w.at(c * 4);
    for (let k = 1; k < 4; k++) assertClose(w.at(c * 4 + k), first.toNumbers(), 0);
  }
  const conv = new Conv2d(3, 16, 3, { padding: 1, icnrScale: 2, bias: false });
  const up = new Sequential(conv, new PixelShuffle(2));
  const y = up.forward(rand([1, 3, 4, 4]));
  // every 2x2 block of the output is constant
  assertClose(
    y
      .slice(2, 0, 8, 2)
      .sub(y.slice(2, 1, 8, 2))
      .abs()
      .amax(),
    0,
    1e-6,
  );
  assertClose(
    y
      .slice(3, 0, 8, 2)
      .sub(y.slice(3, 1, 8, 2))
      .abs()
      .amax(),
    0,
    1e-6,
  );
});

test('to() moves parameters in place of the old ones and dispose() releases them', () => {
  const before = liveTensors();
  const net = new Net();
  const made = liveTensors() - before;
  net.to('cpu', 'float64');
  assert.ok(net.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad));
  assert.equal(liveTensors() - before, made);
  net.dispose();
  assert.equal(liveTensors(), before);
  keep(tensor([1])).dispose();
});
