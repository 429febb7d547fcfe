import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocast, conv2d, countOps, rand, randn, tidy } from './index.js';
import { native } from './native.js';

test('countOps counts the aten ops (casts under autocast, backward nodes) and addon calls of what it runs', () => {
  const x = rand([1, 3, 8, 8]),
    w = randn([4, 3, 3, 3]).requiresGrad_();
  const step = () => tidy(() => autocast('cpu', 'bfloat16', () => conv2d(x, w).sum()).backward());
  const { ops, calls } = countOps(step);
  assert.ok(ops['aten::convolution']! >= 1, JSON.stringify(ops));
  assert.ok(ops['aten::_to_copy']! >= 2, 'x and w cast to bfloat16'); // no other cast is certain in every libtorch
  assert.ok(Object.keys(ops).some((k) => /ConvolutionBackward/.test(k)));
  assert.equal(calls.conv2d, 1);
  assert.equal(calls.setAutocast, 2);
  const { ops: shaped } = countOps(step, { shapes: true });
  assert.ok(shaped['aten::_to_copy [4, 3, 3, 3] Float'], Object.keys(shaped).join('\n'));
  assert.deepEqual(countOps(() => 1).ops, {}, 'counting stopped: nothing left over from before');
});

test('countOps stops counting and restores the addon when what it runs throws', () => {
  const before = native().mul;
  assert.throws(() => countOps(() => rand([2]).matmul(rand([3]))), /matmul/);
  assert.equal(native().mul, before);
  assert.deepEqual(
    countOps(() => 1),
    { result: 1, ops: {}, calls: {} },
  );
});

test('autocast regions nest: an inner region ends by restoring the outer one, the outermost by turning it off', () => {
  const x = rand([1, 3, 8, 8]),
    w = randn([4, 3, 3, 3]);
  const dtypes = autocast('cpu', 'bfloat16', () => {
    const inner = autocast('cpu', 'bfloat16', () => conv2d(x, w).dtype);
    return [inner, conv2d(x, w).dtype];
  });
  assert.deepEqual(dtypes, ['bfloat16', 'bfloat16']);
  assert.equal(conv2d(x, w).dtype, 'float32');
  const boom = () => {
    throw new Error('boom');
  };
  assert.throws(() => autocast('cpu', 'bfloat16', () => autocast('cpu', 'bfloat16', boom)), /boom/);
  assert.equal(conv2d(x, w).dtype, 'float32', 'turned off after a throw too');
});

test('within one autocast region a parameter used twice is cast once', () => {
  const x = rand([1, 3, 8, 8]),
    w = randn([4, 3, 3, 3]).requiresGrad_();
  const casts = (fn: () => unknown) => countOps(fn, { shapes: true }).ops['aten::_to_copy [4, 3, 3, 3] Float'];
  const oneRegion = casts(() => tidy(() => autocast('cpu', 'bfloat16', () => [conv2d(x, w), conv2d(x, w)])));
  const twoRegions = casts(() => tidy(() => [0, 1].map(() => autocast('cpu', 'bfloat16', () => conv2d(x, w)))));
  assert.equal(oneRegion, 1);
  assert.equal(twoRegions, 2);
});
