/** Making tensors: from JavaScript data, constants, ranges and seeded random draws; and joining them. */
import { native } from './native.js';
import { Tensor, wrap, operand } from './tensor.js';
import {
  type AnyTypedArray,
  type Device,
  type DType,
  BYTES_PER_ELEMENT,
  checkDevice,
  checkDtype,
  dtypeOfArray,
} from './dtype.js';
import { invalid } from '../core/errors.js';
import { checkDeviceAvailable } from './runtime.js';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
}

type Nested = number | boolean | Nested[];

const opts = (o: TensorOptions = {}, dtype: DType = 'float32'): [DType, Device] => [
  checkDtype(o.dtype ?? dtype),
  checkDeviceAvailable(checkDevice(o.device ?? 'cpu')),
];

export function checkShape(shape: readonly number[], name = 'shape'): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalid('an array of non-negative integers', name, shape);
  }
  return [...shape];
}

function shapeOf(data: Nested): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as Nested;
  }
  return shape;
}

/**
 * A tensor from JavaScript data: a number, nested arrays, or a typed array (with `shape`).
 * Typed arrays keep their dtype (Uint16Array needs dtype float16 or bfloat16); numbers default to float32.
 * @example
 * const x = tensor([[1, 2], [3, 4]]);                                // float32, shape [2, 2]
 * const y = tensor(new Int32Array([1, 2, 3]), { shape: [3, 1] });   // int32
 */
export function tensor(
  data: Nested | AnyTypedArray,
  options: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype = options.dtype ?? dtypeOfArray(data);
    const shape = checkShape(options.shape ?? [data.length]);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw invalid(`a shape with ${data.length} elements`, 'shape', shape);
    if (data.BYTES_PER_ELEMENT !== BYTES_PER_ELEMENT[dtype]) {
      throw invalid(`a typed array of ${BYTES_PER_ELEMENT[dtype]}-byte elements for dtype ${dtype}`, 'data', data);
    }
    const [, device] = opts(options);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return wrap(native().fromBytes(bytes, dtype, shape, device));
  }
  const shape = options.shape ? checkShape(options.shape) : shapeOf(data);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  if (!flat.every((v) => typeof v === 'number' || typeof v === 'boolean'))
    throw invalid('numbers or nested arrays of numbers', 'data', data);
  if (flat.length !== shape.reduce((a, b) => a * b, 1))
    throw invalid(`a rectangular array matching shape [${shape}]`, 'data', data);
  const [dtype, device] = opts(options);
  const f64 = new Float64Array(flat.map(Number));
  const t = wrap(native().fromBytes(new Uint8Array(f64.buffer), 'float64', shape, 'cpu'));
  if (dtype === 'float64' && device === 'cpu') return t;
  const out = t.to({ dtype, device });
  t.dispose();
  return out;
}

/** A tensor holding a copy of raw little-endian bytes (as a safetensors file stores them). */
export function fromBytes(bytes: Uint8Array, dtype: DType, shape: readonly number[], device: Device = 'cpu'): Tensor {
  return wrap(
    native().fromBytes(bytes, checkDtype(dtype), checkShape(shape), checkDeviceAvailable(checkDevice(device))),
  );
}

export const zeros = (shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().zeros(checkShape(shape), ...opts(o)));
export const ones = (shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().ones(checkShape(shape), ...opts(o)));
export const empty = (shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().empty(checkShape(shape), ...opts(o)));
export const full = (shape: readonly number[], value: number, o?: TensorOptions): Tensor =>
  wrap(native().full(checkShape(shape), value, ...opts(o)));
export const zerosLike = (t: Tensor): Tensor => zeros(t.shape, { dtype: t.dtype, device: t.device });
export const onesLike = (t: Tensor): Tensor => ones(t.shape, { dtype: t.dtype, device: t.device });
export const fullLike = (t: Tensor, value: number): Tensor =>
  full(t.shape, value, { dtype: t.dtype, device: t.device });
export const eye = (n: number, o?: TensorOptions): Tensor => wrap(native().eye(n, ...opts(o)));

/** start, start+step, ... below end. */
export function arange(start: number, end?: number, step = 1, o?: TensorOptions): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const integral = [s, e, step].every(Number.isInteger);
  return wrap(native().arange(s, e, step, ...opts(o, integral ? 'int64' : 'float32')));
}

export const linspace = (start: number, end: number, steps: number, o?: TensorOptions): Tensor =>
  wrap(native().linspace(start, end, steps, ...opts(o)));

/** Uniform on [0, 1), from the global generator (seed it with manualSeed). */
export const rand = (shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().rand(checkShape(shape), ...opts(o)));
/** Standard normal, from the global generator. */
export const randn = (shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().randn(checkShape(shape), ...opts(o)));
/** Integers in [low, high). */
export const randint = (low: number, high: number, shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().randint(low, high, checkShape(shape), ...opts(o, 'int64')));
/** Normal with the given mean and standard deviation. */
export const normal = (mean: number, std: number, shape: readonly number[], o?: TensorOptions): Tensor =>
  wrap(native().normal(mean, std, checkShape(shape), ...opts(o)));

function checkList(ts: readonly Tensor[], name: string): void {
  if (!Array.isArray(ts) || ts.length === 0 || !ts.every((t) => t instanceof Tensor)) {
    throw invalid('a non-empty array of tensors', name, ts);
  }
}

/** Joins tensors along an existing dim. */
export function cat(ts: readonly Tensor[], dim = 0): Tensor {
  checkList(ts, 'cat(tensors)');
  return wrap(
    native().cat(
      ts.map((t) => t.handle),
      dim,
    ),
  );
}

/** Joins tensors of one shape along a new dim. */
export function stack(ts: readonly Tensor[], dim = 0): Tensor {
  checkList(ts, 'stack(tensors)');
  return wrap(
    native().stack(
      ts.map((t) => t.handle),
      dim,
    ),
  );
}

/** Picks from a where cond is true, else from b (either may be a number). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  return wrap(native().where(cond.handle, operand(a), operand(b)));
}
