/** StyleGAN2's networks: shapes, the modulated convolution against its definition, seeds and truncation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conv2d, manualSeed, randn, tensor, tidy, type Tensor } from '../../engine/index.js';
import { Random } from '../../core/random.js';
import { ModulatedConv, SQRT2, StyleDiscriminator, StyleGenerator, numWs, type StyleGanSpec } from './index.js';

const small = (size: number): StyleGanSpec => ({ size, zDim: 32, mapping: 2, channelBase: 256, channelMax: 32 });
const maxDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().amax().item());

/** z [n, zDim] from seeds, as generate draws them (a pure function of the seed). */
const zOf = (seeds: number[], zDim: number) => {
  const data = seeds.flatMap((s) => {
    const r = new Random(s, 0x2);
    return Array.from({ length: zDim }, () => r.normal());
  });
  return tensor(data, { shape: [seeds.length, zDim] });
};

test('generator and discriminator shapes at each resolution, and the w count', () => {
  manualSeed(0);
  for (const size of [8, 16, 32, 64]) {
    tidy(() => {
      const G = new StyleGenerator(small(size)),
        D = new StyleDiscriminator(small(size));
      assert.equal(G.numWs, numWs(size));
      assert.equal(G.numWs, 2 * Math.log2(size) - 2);
      const images = G.forward(randn([3, 32]));
      assert.deepEqual(images.shape, [3, 3, size, size], `images at ${size} px`);
      assert.deepEqual(D.forward(images).shape, [3, 1], `logits at ${size} px`);
      assert.deepEqual(G.ws(randn([3, 32])).shape, [3, numWs(size), 32]);
      G.dispose();
      D.dispose();
    });
  }
});

test('the modulated conv equals a per-sample conv with the style-scaled, demodulated weights', () => {
  manualSeed(1);
  tidy(() => {
    const conv = new ModulatedConv(6, 5, 3, 8, { noiseResolution: 7 });
    const x = randn([3, 6, 7, 7]),
      w = randn([3, 8]);
    const got = conv.forward(x, w, 'none');
    const s = conv.styles(w);
    for (let i = 0; i < 3; i++) {
      let wi = conv.weight.mul(conv.scale).mul(s.select(0, i).view(1, 6, 1, 1)); // [5, 6, 3, 3]
      wi = wi.div(wi.square().sum([1, 2, 3], true).add(1e-8).sqrt());
      const yi = conv2d(x.narrow(0, i, 1), wi, conv.bias, { padding: 1 })
        .leakyRelu(0.2)
        .mul(SQRT2);
      assert.ok(maxDiff(got.narrow(0, i, 1), yi) < 1e-4, `sample ${i} differs by ${maxDiff(got.narrow(0, i, 1), yi)}`);
    }
  });
});

test('demodulation keeps unit variance for unit-variance inputs, whatever the styles', () => {
  manualSeed(2);
  tidy(() => {
    const conv = new ModulatedConv(64, 64, 3, 16, { noiseResolution: 16 });
    for (const scale of [0.1, 1, 10]) {
      const out = conv.forward(randn([8, 64, 16, 16]), randn([8, 16]).mul(scale), 'none');
      // the output is lrelu(y) * sqrt 2, whose second moment is 1.04 times y's for symmetric y
      const m2 = out.square().mean().item() / 1.04;
      assert.ok(m2 > 0.8 && m2 < 1.25, `second moment ${m2.toFixed(3)} with styles x${scale}`);
    }
  });
});

test('the same seed gives the same image, other seeds other images; truncation 0 gives one image for all', () => {
  manualSeed(3);
  const G = new StyleGenerator(small(16));
  tidy(() => {
    // a mean w to truncate to, as training leaves one
    G.mapping.forward(randn([64, 32]), { trackBeta: 0 });
    const a = G.forward(zOf([5, 6], 32), { noise: 'const' }),
      b = G.forward(zOf([5, 6], 32), { noise: 'const' });
    assert.equal(maxDiff(a, b), 0, 'same seeds, same images');
    assert.ok(maxDiff(a.narrow(0, 0, 1), a.narrow(0, 1, 1)) > 1e-3, 'seeds 5 and 6 differ');
    const t = G.forward(zOf([1, 2, 3], 32), { psi: 0, noise: 'const' });
    // the same w in every row: equal up to the float rounding of a batched (grouped) convolution, whose order of
    // summation may differ by row on some CPUs (AVX2: 1e-6-level differences)
    const spread = maxDiff(t.narrow(0, 0, 1), t.narrow(0, 2, 1));
    assert.ok(spread < 1e-5, `truncation 0: every seed gives the mean face (rows differ by ${spread})`);
    const half = G.forward(zOf([5], 32), { psi: 0.5, noise: 'const' });
    assert.ok(maxDiff(half, a.narrow(0, 0, 1)) > 1e-4, 'truncation 0.5 changes the image');
  });
  G.dispose();
});

test("the mapping network's running mean of w follows its formula", () => {
  manualSeed(4);
  tidy(() => {
    const G = new StyleGenerator(small(8));
    const before = G.mapping.wAvg.clone();
    const z = randn([5, 32]);
    const w = G.mapping.forward(z, { trackBeta: 0.9 });
    const expected = w.mean(0).mul(0.1).add(before.mul(0.9));
    assert.ok(maxDiff(G.mapping.wAvg, expected) < 1e-6);
    G.dispose();
  });
});

test('a spec whose widest layers would have no channels, or a size not a power of two, is refused', () => {
  assert.throws(
    () => new StyleGenerator({ ...small(128), channelBase: 64 }),
    /channel base of at least the size \(128\)/,
  );
  assert.throws(() => new StyleDiscriminator({ ...small(48) }), /power of two/);
});
