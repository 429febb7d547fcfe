import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  arange,
  ones,
  zeros,
  rand,
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
  manualSeed,
} from './index.js';
import { assertClose, assertShape } from '../testing/assert.js';

const grid3 = () => arange(1, 10, 1, { dtype: 'float32' }).reshape(1, 1, 3, 3); // [[1,2,3],[4,5,6],[7,8,9]]

test('conv2d: a 4 x 4 output (im2col and a matrix product) equals the convolution of a 5 x 5 one', () => {
  manualSeed(5);
  const [x, w, b] = [rand([2, 8, 4, 4]), rand([5, 8, 3, 3]), rand([5])];
  const small = conv2d(x, w, b, { padding: 1 });
  // one more zero row and column: a 5 x 5 output, whose top-left 4 x 4 reads the same pixels
  const large = conv2d(pad(x, [0, 1, 0, 1]), w, b, { padding: 1 });
  assert.deepEqual(small.shape, [2, 5, 4, 4]);
  assertClose(small, large.slice(2, 0, 4).slice(3, 0, 4).contiguous().toNumbers(), 1e-5);
});

test('conv2d: a 2x2 kernel, with bias, padding and stride', () => {
  const w = tensor([
    [
      [
        [1, 0],
        [0, -1],
      ],
    ],
  ]);
  assertClose(conv2d(grid3(), w, tensor([10])), [6, 6, 6, 6]); // x[i][j] - x[i+1][j+1] = -4, + 10
  const sum3 = ones([1, 1, 3, 3]);
  assertClose(conv2d(grid3(), sum3, null, { padding: 1, stride: 2 }), [12, 16, 24, 28]);
  // groups: two channels, each with its own kernel
  const x = tensor([
    [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [10, 20],
        [30, 40],
      ],
    ],
  ]);
  assertClose(conv2d(x, tensor([[[[1]]], [[[2]]]]), null, { groups: 2 }), [1, 2, 3, 4, 20, 40, 60, 80]);
});

test('convTranspose2d scatters each input through the kernel', () => {
  const x = tensor([[[[1, 2]]]]); // [1,1,1,2]
  const w = tensor([
    [
      [
        [1, 1],
        [1, 1],
      ],
    ],
  ]);
  assertClose(convTranspose2d(x, w, null, { stride: 2 }), [1, 1, 2, 2, 1, 1, 2, 2]);
  assertClose(convTranspose2d(x, w), [1, 3, 2, 1, 3, 2]);
});

test('linear: x W^T + b', () => {
  assertClose(
    linear(
      tensor([[1, 2]]),
      tensor([
        [1, 1],
        [2, -1],
      ]),
      tensor([0.5, 0]),
    ),
    [3.5, 0],
  );
});

test('pixel shuffle and unshuffle invert each other and place channels as PyTorch does', () => {
  const x = arange(0, 4, 1, { dtype: 'float32' }).reshape(1, 4, 1, 1);
  const y = pixelShuffle(x, 2);
  assertShape(y, [1, 1, 2, 2]);
  assertClose(y, [0, 1, 2, 3]);
  assertClose(pixelUnshuffle(y, 2), [0, 1, 2, 3]);
  const r = rand([2, 8, 3, 3]);
  assertClose(pixelUnshuffle(pixelShuffle(r, 2), 2).sub(r).abs().amax(), 0);
});

test('interpolate nearest and bilinear', () => {
  const x = tensor([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);
  assertClose(interpolate(x, { scaleFactor: 2 }), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  assertClose(
    interpolate(x, { size: [3, 3], mode: 'bilinear', alignCorners: true }),
    [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4],
  );
  assertClose(interpolate(x, { size: [1, 1], mode: 'bilinear' }), [2.5]);
});

test('pad with zeros, reflection and replication', () => {
  const x = tensor([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);
  assertClose(pad(x, [1, 0, 0, 0]), [0, 1, 2, 0, 3, 4]);
  assertClose(pad(x, [1, 1, 0, 0], 'reflect'), [2, 1, 2, 1, 4, 3, 4, 3]);
  assertClose(pad(x, [0, 0, 1, 0], 'replicate'), [1, 2, 1, 2, 3, 4]);
});

test('affineGrid + gridSample: identity reproduces the image, a flip mirrors it', () => {
  const x = grid3();
  const identity = tensor([
    [
      [1, 0, 0],
      [0, 1, 0],
    ],
  ]);
  const g = affineGrid(identity, [1, 1, 3, 3], true);
  assertShape(g, [1, 3, 3, 2]);
  assertClose(g.select(3, 0).at(0).at(0), [-1, 0, 1]);
  assertClose(gridSample(x, g, { alignCorners: true }), x.toNumbers(), 1e-5);
  const flip = affineGrid(
    tensor([
      [
        [-1, 0, 0],
        [0, 1, 0],
      ],
    ]),
    [1, 1, 3, 3],
    true,
  );
  assertClose(gridSample(x, flip, { alignCorners: true }), [3, 2, 1, 6, 5, 4, 9, 8, 7], 1e-5);
  // half-pixel shift samples between columns
  const shift = affineGrid(
    tensor([
      [
        [1, 0, 0.5],
        [0, 1, 0],
      ],
    ]),
    [1, 1, 3, 3],
    true,
  );
  assertClose(gridSample(x, shift, { alignCorners: true, paddingMode: 'border' }).select(3, 0), [1.5, 4.5, 7.5], 1e-5);
});

test('pools', () => {
  const x = arange(0, 16, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
  assertClose(avgPool2d(x, 2), [2.5, 4.5, 10.5, 12.5]);
  assertClose(maxPool2d(x, 2), [5, 7, 13, 15]);
  assertClose(adaptiveAvgPool2d(x, 1), [7.5]);
});

test('normalisation layers give zero mean and unit variance where they should', () => {
  const x = tensor([
    [[[1, 3]], [[10, 30]]],
    [[[5, 7]], [[20, 40]]],
  ]); // [2, 2, 1, 2]
  const bn = batchNorm(x, null, null, { training: true });
  assertClose(bn.mean([0, 2, 3]), [0, 0], 1e-5);
  assertClose(bn.var([0, 2, 3], false, false), [1, 1], 1e-3);
  const rm = zeros([2]);
  const rv = ones([2]);
  batchNorm(x, rm, rv, { training: true, momentum: 0.5 });
  assertClose(rm, [2, 12.5]); // 0.5 * mean of [1,3,5,7] and of [10,30,20,40]
  const inorm = instanceNorm(x);
  assertClose(inorm, [-1, 1, -1, 1, -1, 1, -1, 1], 1e-3);
  assertClose(layerNorm(tensor([[1, 2, 3]]), [3]), [-1.2247, 0, 1.2247], 1e-3);
  assertClose(groupNorm(x, 1).mean([1, 2, 3]), [0, 0], 1e-5);
});

test('dropout: identity in eval, zeros about p and rescales in training', () => {
  const x = ones([10000]);
  assertClose(dropout(x, 0.3, false).sum(), 10000);
  manualSeed(1);
  const d = dropout(x, 0.3, true);
  const kept = d.gt(0).to('float32').mean().item();
  assert.ok(Math.abs(kept - 0.7) < 0.02, `kept ${kept}`);
  assertClose(d.amax(), 1 / 0.7, 1e-5);
});

test('losses: L1, MSE and BCE with logits', () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([2, 2, 5]);
  assertClose(l1Loss(a, b), 1);
  assertClose(l1Loss(a, b, 'sum'), 3);
  assertClose(mseLoss(a, b), 5 / 3);
  assertClose(mseLoss(a, b, 'none'), [1, 0, 4]);
  const logit = tensor([0, 2]);
  const y = tensor([1, 0]);
  const expected = (Math.log(2) + Math.log(1 + Math.exp(2))) / 2;
  assertClose(bceWithLogits(logit, y), expected, 1e-5);
});
