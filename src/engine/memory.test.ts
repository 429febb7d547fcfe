/** A long training loop must hold steady: the live-tensor count and resident memory stay flat. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Module,
  type Tensor,
  Adam,
  rand,
  tidy,
  manualSeed,
  liveTensors,
  trimMemory,
  l1Loss,
  trainStep,
} from './index.js';
import { Conv2d, LeakyReLU, PixelShuffle, Sequential, Sigmoid } from '../nn/index.js';

class TinyAutoencoder extends Module {
  enc = new Sequential(
    new Conv2d(3, 16, 5, { stride: 2, padding: 2 }),
    new LeakyReLU(0.1),
    new Conv2d(16, 32, 5, { stride: 2, padding: 2 }),
    new LeakyReLU(0.1),
  );
  decA = new Sequential(
    new Conv2d(32, 64, 3, { padding: 1 }),
    new LeakyReLU(0.1),
    new PixelShuffle(2),
    new Conv2d(16, 12, 3, { padding: 1 }),
    new PixelShuffle(2),
    new Sigmoid(),
  );
  decB = new Sequential(
    new Conv2d(32, 64, 3, { padding: 1 }),
    new LeakyReLU(0.1),
    new PixelShuffle(2),
    new Conv2d(16, 12, 3, { padding: 1 }),
    new PixelShuffle(2),
    new Sigmoid(),
  );
  forward(x: Tensor, side: 'a' | 'b'): Tensor {
    return tidy(() => (side === 'a' ? this.decA : this.decB).forward(this.enc.forward(x)));
  }
}

/** Resident memory after freed heap pages go back to the system, so that allocator caching does not read as a leak. */
const rssMb = () => {
  trimMemory();
  return process.memoryUsage.rss() / 2 ** 20;
};

for (const bf16 of [false, true]) {
  test(`300 training steps${bf16 ? ' under bf16 autocast' : ''} keep live tensors and RSS flat, and learn`, () => {
    manualSeed(0);
    const model = new TinyAutoencoder();
    const opt = new Adam(model, { lr: 1e-3 });
    const a = rand([8, 3, 32, 32]);
    const b = rand([8, 3, 32, 32]);
    const step = () =>
      trainStep(opt, () => l1Loss(model.forward(a, 'a'), a).add(l1Loss(model.forward(b, 'b'), b)), {
        autocast: bf16 ? 'bfloat16' : undefined,
      });
    const losses: number[] = [];
    let live20 = 0,
      rss100 = 0;
    for (let i = 1; i <= 300; i++) {
      losses.push(step());
      if (i === 20) live20 = liveTensors();
      if (i === 100) rss100 = rssMb();
    }
    assert.equal(liveTensors(), live20, 'live tensors after 300 steps equal those after 20');
    const growth = rssMb() - rss100;
    assert.ok(growth < 25, `RSS grew ${growth.toFixed(1)} MB between step 100 and 300`);
    const first = losses.slice(0, 5).reduce((s, x) => s + x) / 5;
    const last = losses.slice(-5).reduce((s, x) => s + x) / 5;
    assert.ok(last < first * 0.8, `loss fell from ${first.toFixed(4)} to ${last.toFixed(4)}`);
    assert.ok(losses.every(Number.isFinite));
  });
}
