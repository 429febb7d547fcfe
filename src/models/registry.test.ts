/** Every registered pair model builds from its spec and maps a face of its size to a face of its size, in 0-1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, manualSeed, noGrad, rand, tidy, zeroGrad } from '../engine/index.js';
import { assertClose } from '../testing/assert.js';
import { createModel, pairModels } from './registry.js';

for (const [name, entry] of Object.entries(pairModels)) {
  test(`${name}: ${entry.spec.size} px in, ${entry.spec.size} px out on both decoders (4 channels with a mask)`, () => {
    manualSeed(1);
    const model = createModel(name, { mask: true });
    try {
      const S = entry.spec.size;
      const shapes = noGrad(() =>
        tidy(() =>
          (['a', 'b'] as const).map((side) => {
            const y = model.forward(rand([1, 3, S, S]), side);
            assert.ok(y.amin().item() >= 0 && y.amax().item() <= 1, `${name} ${side}: outputs in 0-1`);
            return y.shape;
          }),
        ),
      );
      assert.deepEqual(shapes, [
        [1, 4, S, S],
        [1, 4, S, S],
      ]);
    } finally {
      model.dispose();
    }
  });
}

test('lightweight128 is lightweight at 128 px: the same widths, a seed of 8 rather than 4', () => {
  const [light, l128] = [pairModels.lightweight.spec, pairModels.lightweight128.spec];
  assert.equal(l128.size, 128);
  assert.deepEqual({ ...l128, size: 64, seed: 4 }, light);
});

test("forwardPair (the encoder once over both sides) gives two forward() calls' outputs and gradients", () => {
  manualSeed(2);
  const model = createModel('lightweight');
  try {
    const [a, b] = [rand([3, 3, 64, 64]), rand([2, 3, 64, 64])];
    const run = (pair: boolean) => {
      zeroGrad(model.parameters());
      const y = pair ? model.forwardPair(a, b) : { a: model.forward(a, 'a'), b: model.forward(b, 'b') };
      y.a.square().mean().add(y.b.mean()).backward();
      return { y, grads: model.parameters().map((p) => p.grad!.clone()) };
    };
    const [two, one] = [run(false), run(true)];
    assertClose(one.y.a, two.y.a.toNumbers(), 1e-5, 'side A');
    assertClose(one.y.b, two.y.b.toNumbers(), 1e-5, 'side B');
    one.grads.forEach((g, i) => assertClose(g, two.grads[i]!.toNumbers(), 1e-4, `gradient ${i}`));
  } finally {
    model.dispose();
  }
});

test('forwardPair with cycle faces: the same outputs, and a scale-free code distance that trains both decoders', () => {
  manualSeed(3);
  const model = createModel('lightweight', { mask: true });
  try {
    const [a, b] = [rand([3, 3, 64, 64]), rand([2, 3, 64, 64])];
    tidy(() => {
      const plain = noGrad(() => model.forwardPair(a, b));
      zeroGrad(model.parameters());
      const y = model.forwardPair(a, b, { swapFaces: 2, cycle: true });
      assertClose(y.a, plain.a.toNumbers(), 1e-5, 'side A');
      assertClose(y.b, plain.b.toNumbers(), 1e-5, 'side B');
      assert.equal(plain.cycle, undefined);
      assert.equal(plain.swapped, undefined);
      // the swapped faces: A's first two as B, then B's first two as A
      const swapped = noGrad(() => cat([model.forward(a.narrow(0, 0, 2), 'b'), model.forward(b, 'a')], 0));
      assertClose(y.swapped!, swapped.toNumbers(), 1e-5, 'swapped faces');
      const cycle = y.cycle!.item();
      assert.ok(Number.isFinite(cycle) && cycle > 0, `cycle distance ${cycle}`);
      // the distance is over the codes' spread between faces: the same figure whatever the codes' scale
      const expected = noGrad(() => {
        const codes = model.enc.forward(cat([a.narrow(0, 0, 2), b], 0));
        const again = model.enc.forward(swapped.narrow(1, 0, 3));
        const spread = codes.sub(codes.mean(0, true)).abs().mean();
        return again.sub(codes).abs().mean().item() / spread.item();
      });
      assert.ok(Math.abs(cycle - expected) < 1e-4 * expected, `cycle ${cycle} against ${expected}`);
      y.cycle!.backward();
      // the cycle runs A's codes through decoder B and B's through decoder A, then the encoder again
      for (const part of [model.dec_a, model.dec_b, model.enc]) {
        const norm = part.parameters().reduce((s, p) => s + (p.grad ? p.grad.abs().sum().item() : 0), 0);
        assert.ok(norm > 0, 'every part gets a gradient from the cycle');
      }
    });
  } finally {
    model.dispose();
  }
});
