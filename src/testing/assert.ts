/** Test helpers: numeric comparison with a tolerance, and the error-code check. */
import assert from 'node:assert/strict';
import { Tensor } from '../engine/index.js';
import { FaceganError } from '../core/errors.js';

/** Asserts that a tensor (or numbers) equals `expected` elementwise within `tol` (absolute + relative). */
export function assertClose(
  actual: Tensor | readonly number[] | number,
  expected: readonly number[] | number,
  tol = 1e-5,
  what = 'value',
): void {
  const a = actual instanceof Tensor ? actual.toNumbers() : typeof actual === 'number' ? [actual] : [...actual];
  const e = typeof expected === 'number' ? [expected] : [...expected];
  assert.equal(a.length, e.length, `${what}: ${a.length} elements, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i]! - e[i]!) <= tol + tol * Math.abs(e[i]!);
    if (!ok)
      assert.fail(
        `${what}[${i}] = ${a[i]}, expected ${e[i]} (tol ${tol})\n actual: ${a.slice(0, 16).join(', ')}\n` +
          ` expected: ${e.slice(0, 16).join(', ')}`,
      );
  }
}

/** Asserts that fn throws a FaceganError with this code and a message matching `pattern`. */
export function assertFails(fn: () => unknown, code: string, pattern?: RegExp): FaceganError {
  try {
    fn();
  } catch (e) {
    assert.ok(
      e instanceof FaceganError,
      `expected a FaceganError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    assert.equal(e.code, code, `code of: ${e.message}`);
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected an error with code ${code}, but nothing was thrown`);
}

export function assertShape(t: Tensor, shape: readonly number[]): void {
  assert.deepEqual([...t.shape], [...shape]);
}
