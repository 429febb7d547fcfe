import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, noGrad, enableGrad, isGradEnabled, grad, zeroGrad, tidy } from './index.js';
import { assertClose } from '../testing/assert.js';

test('backward fills .grad of leaves, accumulating until zeroed', () => {
  const x = tensor([1, 2, 3]).requiresGrad_();
  assert.ok(x.requiresGrad);
  x.mul(x).sum().backward();
  assertClose(x.grad!, [2, 4, 6]);
  x.mul(3).sum().backward();
  assertClose(x.grad!, [5, 7, 9]);
  zeroGrad([x]);
  assert.equal(x.grad, null);
});

test('backward with an explicit gradient, and retainGraph for a second pass', () => {
  const x = tensor([1, 2]).requiresGrad_();
  const y = x.mul(x);
  y.backward(tensor([1, 10]), { retainGraph: true });
  assertClose(x.grad!, [2, 40]);
  y.sum().backward();
  assertClose(x.grad!, [4, 44]);
});

test('detach and noGrad cut the graph; enableGrad restores it', () => {
  const x = tensor([2]).requiresGrad_();
  assert.ok(!x.mul(2).detach().requiresGrad);
  assert.ok(isGradEnabled());
  const y = noGrad(() => {
    assert.ok(!isGradEnabled());
    const inner = enableGrad(() => x.mul(5));
    assert.ok(inner.requiresGrad);
    return x.mul(3);
  });
  assert.ok(isGradEnabled());
  assert.ok(!y.requiresGrad);
});

test('grad() gives first and (with createGraph) second derivatives; unused inputs get null', () => {
  const x = tensor([3]).requiresGrad_();
  const z = tensor([1]).requiresGrad_();
  const y = x.pow(3);
  const [dy, dz] = grad(y.sum(), [x, z], { createGraph: true });
  assertClose(dy!, [27]);
  assert.equal(dz, null);
  const [d2] = grad(dy!.sum(), [x]);
  assertClose(d2!, [18]);
});

test("tidy disposes a step's graph tensors but leaves gradients on the leaves", () => {
  const w = tensor([
    [1, 2],
    [3, 4],
  ]).requiresGrad_();
  const loss = tidy(() => {
    const l = w
      .matmul(tensor([[1], [1]]))
      .square()
      .sum();
    l.backward();
    return l.item();
  });
  assert.equal(loss, 9 + 49);
  assertClose(w.grad!, [6, 6, 14, 14]);
});
