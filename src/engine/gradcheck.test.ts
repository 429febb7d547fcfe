/**
 * Gradient checks: for every differentiable op, the gradient autograd computes equals central finite
 * differences (float64), for a random projection of the output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Tensor,
  tensor,
  rand,
  randn,
  cat,
  stack,
  where,
  tidy,
  noGrad,
  manualSeed,
  conv2d,
  convTranspose2d,
  linear,
  pixelShuffle,
  pixelUnshuffle,
  interpolate,
  pad,
  gridSample,
  affineGrid,
  avgPool2d,
  maxPool2d,
  adaptiveAvgPool2d,
  batchNorm,
  instanceNorm,
  layerNorm,
  groupNorm,
  dropout,
  l1Loss,
  mseLoss,
  bceWithLogits,
} from './index.js';

const f64 = { dtype: 'float64' } as const;
/** Values away from 0 and from each other (so abs, relu, max and sorting have a unique, smooth neighbourhood). */
const spread = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => (0.3 + ((i * 0.618) % 1.4)) * (i % 3 === 1 ? -1 : 1));
  return tensor(vals, { ...f64, shape });
};
const positive = (shape: number[]): Tensor => rand(shape, f64).add(0.5);
const normal = (shape: number[]): Tensor => randn(shape, f64);
const idx = (v: number[][] | number[]): Tensor => tensor(v, { dtype: 'int64' });

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]];

const cases: Case[] = [
  // arithmetic (broadcasting second operand)
  ['add', (a, b) => a.add(b!), () => [normal([2, 3]), normal([3])]],
  ['sub', (a, b) => a.sub(b!), () => [normal([2, 3]), normal([2, 1])]],
  ['mul', (a, b) => a.mul(b!), () => [normal([2, 3]), normal([3])]],
  ['div', (a, b) => a.div(b!), () => [normal([2, 3]), positive([2, 3])]],
  ['pow', (a, b) => a.pow(b!), () => [positive([4]), normal([4])]],
  ['pow scalar', (a) => a.pow(3), () => [normal([4])]],
  ['maximum', (a, b) => a.maximum(b!), () => [spread([5]), spread([5]).flip(0)]],
  ['minimum', (a, b) => a.minimum(b!), () => [spread([5]), spread([5]).flip(0)]],
  ['where', (a, b) => where(a.gt(0), a, b!), () => [spread([6]), normal([6])]],
  ['clamp', (a) => a.clamp(-0.5, 0.5), () => [spread([6])]],
  ['lerp', (a, b) => a.lerp(b!, 0.3), () => [normal([4]), normal([4])]],
  ['matmul', (a, b) => a.matmul(b!), () => [normal([2, 3]), normal([3, 4])]],
  ['batched matmul', (a, b) => a.matmul(b!), () => [normal([2, 2, 3]), normal([3, 2])]],
  ['linear', (x, w, b) => linear(x, w!, b), () => [normal([2, 3]), normal([4, 3]), normal([4])]],
  // elementwise and activations
  ['neg', (a) => a.neg(), () => [normal([4])]],
  ['abs', (a) => a.abs(), () => [spread([5])]],
  ['exp', (a) => a.exp(), () => [normal([4])]],
  ['log', (a) => a.log(), () => [positive([4])]],
  ['sqrt', (a) => a.sqrt(), () => [positive([4])]],
  ['rsqrt', (a) => a.rsqrt(), () => [positive([4])]],
  ['sin', (a) => a.sin(), () => [normal([4])]],
  ['cos', (a) => a.cos(), () => [normal([4])]],
  ['square', (a) => a.square(), () => [normal([4])]],
  ['reciprocal', (a) => a.reciprocal(), () => [positive([4])]],
  ['relu', (a) => a.relu(), () => [spread([6])]],
  ['leakyRelu', (a) => a.leakyRelu(0.1), () => [spread([6])]],
  ['sigmoid', (a) => a.sigmoid(), () => [normal([5])]],
  ['tanh', (a) => a.tanh(), () => [normal([5])]],
  ['gelu', (a) => a.gelu(), () => [normal([5])]],
  ['gelu tanh', (a) => a.gelu('tanh'), () => [normal([5])]],
  ['softplus', (a) => a.softplus(2), () => [normal([5])]],
  ['softmax', (a) => a.softmax(1), () => [normal([2, 4])]],
  ['logSoftmax', (a) => a.logSoftmax(0), () => [normal([3, 2])]],
  // reductions
  ['sum', (a) => a.sum(1), () => [normal([2, 3])]],
  ['mean', (a) => a.mean([0, 2], true), () => [normal([2, 3, 2])]],
  ['amax', (a) => a.amax(1), () => [spread([2, 4])]],
  ['amin', (a) => a.amin(), () => [spread([2, 4])]],
  ['var', (a) => a.var(1), () => [normal([2, 4])]],
  ['std', (a) => a.std(), () => [normal([6])]],
  ['norm', (a) => a.norm(2, 1), () => [normal([2, 3])]],
  ['logsumexp', (a) => a.logsumexp(1), () => [normal([2, 3])]],
  ['cumsum', (a) => a.cumsum(0), () => [normal([4])]],
  // shape and indexing
  ['reshape', (a) => a.reshape(3, 2).mul(tensor([1, 2], f64)), () => [normal([2, 3])]],
  ['view', (a) => a.view(6).mul(tensor([1, 2, 3, 4, 5, 6], f64)), () => [normal([2, 3])]],
  ['permute', (a) => a.permute(2, 0, 1).contiguous(), () => [normal([2, 3, 2])]],
  ['transpose', (a) => a.transpose(0, 1), () => [normal([2, 3])]],
  ['squeeze/unsqueeze', (a) => a.unsqueeze(0).squeeze(1), () => [normal([1, 3])]],
  ['flatten', (a) => a.flatten(1), () => [normal([2, 2, 2])]],
  ['expand', (a) => a.expand(3, 2), () => [normal([1, 2])]],
  ['repeat', (a) => a.repeat(2, 3), () => [normal([2, 2])]],
  ['flip', (a) => a.flip(0, 1), () => [normal([2, 3])]],
  ['cat', (a, b) => cat([a, b!], 1), () => [normal([2, 2]), normal([2, 3])]],
  ['stack', (a, b) => stack([a, b!], 0), () => [normal([3]), normal([3])]],
  ['slice', (a) => a.slice(1, 1, 4, 2), () => [normal([2, 5])]],
  ['select', (a) => a.select(0, 1), () => [normal([3, 2])]],
  ['indexSelect', (a) => a.indexSelect(0, idx([2, 0, 2])), () => [normal([3, 2])]],
  [
    'gather',
    (a) =>
      a.gather(
        1,
        idx([
          [0, 0],
          [1, 2],
        ]),
      ),
    () => [normal([2, 3])],
  ],
  ['maskedFill', (a) => a.maskedFill(a.gt(0), 0), () => [spread([6])]],
  ['contiguous channels-last', (a) => a.contiguous('channels-last'), () => [normal([1, 2, 2, 2])]],
  ['clone', (a) => a.clone(), () => [normal([3])]],
  // layers
  [
    'conv2d (a few output pixels: im2col and a matrix product)',
    (x, w, b) => conv2d(x, w!, b, { stride: 2, padding: 1 }),
    () => [normal([1, 2, 4, 4]), normal([3, 2, 3, 3]), normal([3])],
  ],
  [
    'conv2d (more than 16 output pixels: the convolution)',
    (x, w, b) => conv2d(x, w!, b, { padding: 1 }),
    () => [normal([1, 2, 5, 5]), normal([3, 2, 3, 3]), normal([3])],
  ],
  [
    'conv2d groups+dilation',
    (x, w) => conv2d(x, w!, null, { groups: 2, dilation: 2, padding: 2 }),
    () => [normal([1, 4, 3, 3]), normal([2, 2, 3, 3])],
  ],
  [
    'convTranspose2d',
    (x, w, b) => convTranspose2d(x, w!, b, { stride: 2, padding: 1, outputPadding: 1 }),
    () => [normal([1, 2, 2, 2]), normal([2, 3, 3, 3]), normal([3])],
  ],
  ['pixelShuffle', (x) => pixelShuffle(x, 2), () => [normal([1, 8, 1, 2])]],
  ['pixelUnshuffle', (x) => pixelUnshuffle(x, 2), () => [normal([1, 1, 2, 4])]],
  ['interpolate nearest', (x) => interpolate(x, { scaleFactor: 2 }), () => [normal([1, 1, 2, 2])]],
  ['interpolate bilinear', (x) => interpolate(x, { size: [3, 5], mode: 'bilinear' }), () => [normal([1, 2, 2, 3])]],
  ['pad zeros', (x) => pad(x, [1, 2, 0, 1]), () => [normal([1, 1, 2, 2])]],
  ['pad reflect', (x) => pad(x, [1, 1, 1, 1], 'reflect'), () => [normal([1, 1, 3, 3])]],
  ['pad replicate', (x) => pad(x, [2, 0, 1, 0], 'replicate'), () => [normal([1, 1, 2, 2])]],
  [
    'gridSample',
    (x, g) => gridSample(x, g!, { alignCorners: false }),
    () => [normal([1, 2, 3, 3]), rand([1, 2, 2, 2], f64).mul(1.6).sub(0.8)],
  ],
  ['affineGrid', (t) => affineGrid(t, [1, 1, 2, 3], false), () => [normal([1, 2, 3])]],
  ['avgPool2d', (x) => avgPool2d(x, 2), () => [normal([1, 1, 4, 4])]],
  ['maxPool2d', (x) => maxPool2d(x, 2), () => [spread([1, 1, 4, 4])]],
  ['adaptiveAvgPool2d', (x) => adaptiveAvgPool2d(x, [2, 1]), () => [normal([1, 1, 4, 3])]],
  [
    'batchNorm',
    (x, w, b) => batchNorm(x, null, null, { weight: w, bias: b, training: true }),
    () => [normal([3, 2, 2, 2]), normal([2]), normal([2])],
  ],
  [
    'instanceNorm',
    (x, w, b) => instanceNorm(x, { weight: w, bias: b }),
    () => [normal([2, 2, 2, 3]), normal([2]), normal([2])],
  ],
  ['layerNorm', (x, w, b) => layerNorm(x, [3], w, b), () => [normal([2, 3]), normal([3]), normal([3])]],
  ['groupNorm', (x, w, b) => groupNorm(x, 2, w, b), () => [normal([2, 4, 2, 1]), normal([4]), normal([4])]],
  [
    'dropout (fixed seed)',
    (x) => {
      manualSeed(3);
      return dropout(x, 0.5, true);
    },
    () => [normal([8])],
  ],
  ['l1Loss', (a, b) => l1Loss(a, b!), () => [spread([5]), spread([5]).flip(0).mul(0.5)]],
  ['mseLoss', (a, b) => mseLoss(a, b!, 'sum'), () => [normal([5]), normal([5])]],
  ['bceWithLogits', (x, y) => bceWithLogits(x, y!), () => [normal([5]), rand([5], f64)]],
];

/** Largest |analytic - numeric| relative to the gradient's scale, over every input element. */
function gradError(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): number {
  return tidy(() => {
    const leaves = inputs.map((x) => x.detach().requiresGrad_());
    const out = fn(...leaves);
    const proj = randn([...out.shape], f64);
    out.mul(proj).sum().backward();
    const scalar = (xs: Tensor[]) =>
      noGrad(() =>
        tidy(() =>
          fn(...xs)
            .mul(proj)
            .sum()
            .item(),
        ),
      );
    let worst = 0;
    inputs.forEach((x, i) => {
      const analytic = leaves[i]!.grad?.toNumbers() ?? new Array(x.numel).fill(0);
      const base = x.toNumbers();
      const eps = 1e-6;
      for (let k = 0; k < base.length; k++) {
        const shifted = (d: number) =>
          inputs.map((y, j) =>
            j !== i
              ? y
              : tensor(
                  base.map((v, m) => (m === k ? v + d : v)),
                  { ...f64, shape: [...x.shape] },
                ),
          );
        const numeric = (scalar(shifted(eps)) - scalar(shifted(-eps))) / (2 * eps);
        worst = Math.max(worst, Math.abs(analytic[k]! - numeric) / Math.max(1, Math.abs(numeric)));
      }
    });
    return worst;
  });
}

for (const [name, fn, make] of cases) {
  test(`gradient of ${name} matches finite differences`, () => {
    manualSeed(7);
    const inputs = make();
    const err = gradError(fn, inputs);
    assert.ok(err < 1e-5, `${name}: max relative gradient error ${err}`);
    for (const x of inputs) x.dispose();
  });
}
