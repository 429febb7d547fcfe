/** DiffAugment: each augmentation does what it says, gradients pass through, and draws repeat. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, rand, tensor, tidy } from '../../engine/index.js';
import { augmenter, colour, cutout, diffAugment, translate } from './diffaugment.js';

test('translation shifts by whole pixels with zeros coming in', () => {
  tidy(() => {
    const x = arange(0, 2 * 5 * 6)
      .add(1)
      .reshape(1, 2, 5, 6);
    const y = translate(x, [[2, -1]]).toNumbers(),
      v = x.toNumbers();
    for (let c = 0; c < 2; c++)
      for (let r = 0; r < 5; r++)
        for (let col = 0; col < 6; col++) {
          const sr = r + 1,
            sc = col - 2,
            at = (c * 5 + r) * 6 + col;
          const expected = sr < 5 && sc >= 0 ? v[(c * 5 + sr) * 6 + sc] : 0;
          assert.equal(y[at], expected, `channel ${c} row ${r} column ${col}`);
        }
  });
});

test('cutout zeroes a square of the given side and nothing else', () => {
  tidy(() => {
    const y = cutout(
      rand([2, 3, 8, 8]).add(1),
      [
        [4, 4],
        [0, 7],
      ],
      4,
    );
    const v = y.toNumbers();
    const zeros = (i: number) => v.slice(i * 192, (i + 1) * 192).filter((p) => p === 0).length;
    assert.equal(zeros(0), 3 * 16, 'a 4x4 square in the middle, in each channel');
    assert.equal(zeros(1), 3 * 2 * 3, 'clipped at the corner: 2 columns by 3 rows');
    assert.equal(v[2 * 8 + 2], 0, 'top-left of the middle square');
    assert.notEqual(v[1 * 8 + 1], 0);
  });
});

test('colour: neutral settings change nothing, brightness adds, contrast keeps the mean', () => {
  tidy(() => {
    const x = rand([2, 3, 4, 4]);
    assert.ok(colour(x, [0, 0], [1, 1], [1, 1]).sub(x).abs().amax().item() < 1e-6, 'identity');
    const shift = colour(x, [0.3, -0.2], [1, 1], [1, 1]).sub(x).mean([1, 2, 3]);
    assert.ok(
      shift
        .sub(tensor([0.3, -0.2]))
        .abs()
        .amax()
        .item() < 1e-6,
      'brightness',
    );
    const c = colour(x, [0, 0], [1, 1], [1.5, 0.5]);
    assert.ok(
      c
        .mean([1, 2, 3])
        .sub(x.mean([1, 2, 3]))
        .abs()
        .amax()
        .item() < 1e-6,
      'contrast keeps the mean',
    );
    assert.ok(c.std().item() !== x.std().item());
  });
});

test('gradients pass through every augmentation, and the draws repeat for (seed, iteration, call)', () => {
  tidy(() => {
    const x = rand([4, 3, 16, 16]).requiresGrad_();
    const all = ['color', 'translation', 'cutout'] as const;
    const y = diffAugment(x, all, 1, 5, 0);
    y.square().sum().backward();
    assert.ok(x.grad && x.grad.abs().sum().item() > 0, 'x receives a gradient');
    const again = diffAugment(x.detach(), all, 1, 5, 0),
      other = diffAugment(x.detach(), all, 1, 6, 0);
    assert.equal(again.sub(y.detach()).abs().amax().item(), 0, 'same draw');
    assert.ok(other.sub(y.detach()).abs().amax().item() > 0, 'another iteration, another draw');
    const aug = augmenter(all, 1),
      z = x.detach();
    const first = aug(z, 3),
      second = aug(z, 3);
    assert.ok(first.sub(second).abs().amax().item() > 0, 'two calls in one iteration differ');
    assert.equal(augmenter(all, 1)(z, 3).sub(first).abs().amax().item(), 0, 'and repeat from the start of it');
  });
});
