/** The README's engine example, as a user would write it (importing 'facegan'), runs and learns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randn, tidy, Adam, nn, saveSafetensors, loadSafetensors, manualSeed } from 'facegan';
import { testTmp } from './testing/tmp.js';

test('README example: a small net learns y = x0 + x1 and saves its weights', () => {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.LeakyReLU(0.1), new nn.Linear(16, 1));
  const opt = new Adam(model, { lr: 1e-2 });
  const x = randn([64, 2]);
  const y = x.sum(1, true);
  const losses: number[] = [];
  for (let i = 0; i < 200; i++) {
    losses.push(
      tidy(() => {
        opt.zeroGrad();
        const l = model.forward(x).sub(y).square().mean();
        l.backward();
        opt.step();
        return l.item();
      }),
    );
  }
  assert.ok(losses.at(-1)! < losses[0]! * 0.01, `loss ${losses[0]} -> ${losses.at(-1)}`);
  const dir = mkdtempSync(join(testTmp(), 'facegan-readme-'));
  try {
    saveSafetensors(join(dir, 'model.safetensors'), model.stateDict());
    assert.deepEqual(
      [...loadSafetensors(join(dir, 'model.safetensors')).tensors.keys()],
      ['0.bias', '0.weight', '2.bias', '2.weight'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
