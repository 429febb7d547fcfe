/** Denormal floats are flushed to zero by default (faster GAN training on CPUs), and can be kept. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlushDenormal, tensor, tidy } from './index.js';

test('denormals flush to zero by default; setFlushDenormal(false) keeps them', () => {
  tidy(() => {
    // 1e-39 is below float32's smallest normal (1.18e-38); flushed, even its conversion gives 0
    assert.equal(tensor([1e-39]).toNumbers()[0], 0, 'flushed by default');
    assert.equal(setFlushDenormal(false), true, 'this CPU can flush');
    try {
      const tiny = tensor([1e-39]);
      assert.ok(Math.abs(tiny.mul(1).toNumbers()[0]! - 1e-39) < 1e-44, 'kept when asked');
      setFlushDenormal(true);
      assert.equal(tiny.mul(1).toNumbers()[0], 0, 'flushed again');
    } finally {
      setFlushDenormal(true);
    }
  });
});
