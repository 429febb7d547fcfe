/**
 * Deterministic release of tensors. Every tensor is created inside the innermost open scope; tidy(fn) closes a
 * scope and disposes every tensor made in it except those fn returns (which move to the enclosing scope) and those
 * kept with keep(). Outside any scope, tensors live until dispose() (or, as a last resort, garbage collection).
 */
import { FaceganError, ErrorCodes } from '../core/errors.js';

export interface Disposable {
  dispose(): void;
}

const scopes: Set<Disposable>[] = [];

/** @internal Called by each new tensor. */
export function track(t: Disposable): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Takes a tensor out of every open scope so that tidy() will not dispose it. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/** Collects the disposables inside a returned value: a tensor, an array, or a plain object (one level deep). */
function collect(value: unknown, isTensor: (v: unknown) => v is Disposable, out: Set<Disposable>): void {
  if (isTensor(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, isTensor, out);
  else if (value instanceof Map) for (const v of value.values()) collect(v, isTensor, out);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, isTensor, out);
}

let tensorCheck: (v: unknown) => v is Disposable = (v): v is Disposable => false;

/** @internal Tells the scope module how to recognise tensors (tensor.ts registers itself; avoids an import cycle). */
export function setTensorCheck(fn: (v: unknown) => v is Disposable): void {
  tensorCheck = fn;
}

/**
 * Runs fn in a new scope and disposes every tensor it made, except what it returns.
 * @example
 * const loss = tidy(() => model.forward(x).sub(y).abs().mean()); // intermediates are released here
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      'tidy() takes a synchronous function; await outside it and tidy each step',
    );
  }
  const kept = new Set<Disposable>();
  collect(result, tensorCheck, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor in a value (a tensor, an array, a Map or a plain object). */
export function dispose(value: unknown): void {
  const found = new Set<Disposable>();
  collect(value, tensorCheck, found);
  for (const t of found) t.dispose();
}
