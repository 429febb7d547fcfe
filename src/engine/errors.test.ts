/** Bad input gives a FaceganError that says what was expected, and the process carries on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  rand,
  zeros,
  conv2d,
  linear,
  mseLoss,
  gridSample,
  cat,
  Adam,
  loadSafetensors,
  interpolate,
  cuda,
} from './index.js';
import { ErrorCodes } from '../core/errors.js';
import { assertFails } from '../testing/assert.js';

const cases: [string, () => unknown, string, RegExp][] = [
  [
    'conv2d on a 3-d input',
    () => conv2d(rand([3, 8, 8]), rand([4, 3, 3, 3])),
    ErrorCodes.BAD_ARGUMENT,
    /Expected a 4-d input \[N, C, H, W\] for conv2d input but received shape \[3, 8, 8\]/,
  ],
  [
    'conv2d with the wrong channel count',
    () => conv2d(rand([1, 2, 8, 8]), rand([4, 3, 3, 3])),
    ErrorCodes.BAD_ARGUMENT,
    /an input with 3 channels .* received shape \[1, 2, 8, 8\]/,
  ],
  ['linear with the wrong width', () => linear(rand([2, 5]), rand([3, 4])), ErrorCodes.BAD_ARGUMENT, /last dim is 4/],
  [
    'matmul of mismatched shapes',
    () => rand([2, 3]).matmul(rand([2, 3])),
    ErrorCodes.ENGINE,
    /matmul failed: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/,
  ],
  [
    'matmul of mixed dtypes',
    () => rand([2, 2]).matmul(zeros([2, 2], { dtype: 'int64' })),
    ErrorCodes.ENGINE,
    /matmul failed: .*(float|long)/i,
  ],
  [
    'add of shapes that do not broadcast',
    () => rand([2, 3]).add(rand([4])),
    ErrorCodes.ENGINE,
    /add failed: The size of tensor a \(3\) must match/,
  ],
  [
    'a loss with a target of another shape',
    () => mseLoss(rand([4]), rand([5])),
    ErrorCodes.BAD_ARGUMENT,
    /target of the input's shape \[4\]/,
  ],
  [
    'a reshape to the wrong size',
    () => rand([6]).reshape(4, 2),
    ErrorCodes.ENGINE,
    /reshape failed: shape '\[4, 2\]' is invalid for input of size 6/,
  ],
  [
    'a grid of the wrong shape',
    () => gridSample(rand([1, 1, 4, 4]), rand([1, 4, 4, 3])),
    ErrorCodes.BAD_ARGUMENT,
    /grid \[1, Ho, Wo, 2\]/,
  ],
  ['cat of nothing', () => cat([]), ErrorCodes.BAD_ARGUMENT, /non-empty array of tensors/],
  [
    'an unknown dtype',
    () => zeros([2], { dtype: 'float8' as never }),
    ErrorCodes.BAD_ARGUMENT,
    /one of float32, .* for dtype but received "float8"/,
  ],
  ['a negative dimension size', () => zeros([2, -1]), ErrorCodes.BAD_ARGUMENT, /non-negative integers for shape/],
  [
    'cuda on a build without it',
    () => rand([2]).to('cuda'),
    ErrorCodes.NO_DEVICE,
    /device cuda was asked for but this libtorch has no CUDA device/,
  ],
  ['an unknown device', () => zeros([2], { device: 'tpu' as never }), ErrorCodes.BAD_ARGUMENT, /cpu, cuda or cuda:N/],
  [
    'a non-tensor where a tensor belongs',
    () => rand([2]).add({} as never),
    ErrorCodes.BAD_ARGUMENT,
    /expected a tensor handle/,
  ],
  [
    'backward of a non-scalar',
    () => rand([3]).requiresGrad_().mul(2).backward(),
    ErrorCodes.BAD_ARGUMENT,
    /one-element tensor but received shape \[3\]/,
  ],
  ['backward of a tensor without a graph', () => rand([1]).backward(), ErrorCodes.ENGINE, /does not require grad/],
  ['an interpolate without size', () => interpolate(rand([1, 1, 2, 2]), {}), ErrorCodes.BAD_ARGUMENT, /positive size/],
  [
    'a missing weights file',
    () => loadSafetensors('/no/such/model.safetensors'),
    ErrorCodes.BAD_FILE,
    /No safetensors file at \/no\/such\/model.safetensors/,
  ],
  [
    'an optimizer lr out of range',
    () => new Adam([rand([1]).requiresGrad_()], { lr: Number.NaN }),
    ErrorCodes.BAD_ARGUMENT,
    /for lr but received NaN/,
  ],
];

for (const [name, fn, code, pattern] of cases) {
  const skip = name.startsWith('cuda on a build without it') && cuda.isAvailable() ? 'this build has CUDA' : false;
  test(`bad input: ${name}`, { skip }, () => {
    assertFails(fn, code, pattern);
  });
}

test('a disposed tensor cannot be used, and says so', () => {
  const t = tensor([1, 2]);
  t.dispose();
  assert.ok(t.isDisposed);
  assertFails(() => t.add(1), ErrorCodes.DISPOSED, /used after dispose/);
  t.dispose(); // twice is harmless
});

test('the process survives every bad call above and still computes', () => {
  assert.equal(tensor([2]).mul(21).item(), 42);
});
