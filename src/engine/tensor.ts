/**
 * facegan's Tensor: a typed handle to one libtorch tensor, with a PyTorch-like method API. Every method returns
 * a new tensor (in-place methods end in `_` and return `this`). Release memory with dispose() or tidy().
 */
import { native, type Handle } from './native.js';
import { track, setTensorCheck } from './scope.js';
import { type AnyTypedArray, type Device, type DType, checkDevice, checkDtype, typedArrayFor } from './dtype.js';
import { FaceganError, ErrorCodes, invalid } from '../core/errors.js';
import { checkDeviceAvailable } from './runtime.js';

type Operand = Tensor | number;

/** @internal A tensor-or-number argument as the native layer takes it. */
export const operand = (o: Operand): Handle | number => (typeof o === 'number' ? o : o.handle);
const h = operand;

/** Normalises a dims argument: one dim, a list, or none (all). */
const dimsOf = (dims?: number | readonly number[]): number[] =>
  dims === undefined ? [] : typeof dims === 'number' ? [dims] : [...dims];

export class Tensor {
  /** @internal The native handle; only engine code reads it. */
  readonly handle: Handle;
  #shape?: readonly number[];
  #dtype?: DType;
  #device?: Device;
  /** @internal 'parameter' or 'buffer' when a Module owns this tensor. */
  role?: 'parameter' | 'buffer';

  /** @internal Use the factory functions (tensor, zeros, randn, ...) to make tensors. */
  constructor(handle: Handle) {
    this.handle = handle;
    track(this);
  }

  #readMeta(): void {
    const [shape, dtype, device] = native().meta(this.handle);
    this.#shape = Object.freeze(shape);
    this.#dtype = dtype as DType;
    this.#device = device as Device;
  }

  get shape(): readonly number[] {
    if (!this.#shape) this.#readMeta();
    return this.#shape!;
  }
  get dtype(): DType {
    if (!this.#dtype) this.#readMeta();
    return this.#dtype!;
  }
  get device(): Device {
    if (!this.#device) this.#readMeta();
    return this.#device!;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** Size of one dimension (negative counts from the end). */
  size(dim: number): number {
    const d = dim < 0 ? this.ndim + dim : dim;
    if (d < 0 || d >= this.ndim) throw invalid(`a dim in [${-this.ndim}, ${this.ndim - 1}]`, 'dim', dim);
    return this.shape[d]!;
  }

  // ---- data out ----
  /** The elements as a typed array (float16/bfloat16 as raw 16-bit patterns), copied to the CPU. */
  data(): AnyTypedArray {
    return typedArrayFor(this.dtype, native().toBytes(this.handle));
  }
  /** The elements as a Buffer of raw little-endian bytes, copied to the CPU. */
  bytes(): Buffer {
    return native().toBytes(this.handle);
  }
  /** The elements as plain numbers (any dtype), flat, in row-major order. */
  toNumbers(): number[] {
    const d =
      this.dtype === 'float32' || this.dtype === 'float64' || this.dtype === 'int32' || this.dtype === 'uint8'
        ? this.data()
        : this.to('float64').#takeData();
    return Array.from(d as ArrayLike<number>, Number);
  }
  #takeData(): AnyTypedArray {
    const d = this.data();
    this.dispose();
    return d;
  }
  /** The value of a one-element tensor. */
  item(): number {
    return Number(native().item(this.handle));
  }

  // ---- lifetime ----
  dispose(): void {
    native().dispose(this.handle);
  }
  get isDisposed(): boolean {
    return native().isDisposed(this.handle);
  }

  // ---- conversion ----
  /** A copy with another dtype and/or device (`t.to('float16')`, `t.to('cuda')`, `t.to({dtype, device})`). */
  to(target: DType | Device | { dtype?: DType; device?: Device }): Tensor {
    const opts =
      typeof target === 'string'
        ? /^(cpu|cuda)/.test(target)
          ? { device: target as Device }
          : { dtype: target as DType }
        : target;
    const dtype = opts.dtype === undefined ? this.dtype : checkDtype(opts.dtype);
    const device = opts.device === undefined ? this.device : checkDeviceAvailable(checkDevice(opts.device));
    return wrap(native().to(this.handle, dtype, device));
  }
  /** Row-major (default) or channels-last memory layout; channels-last can make convolutions faster. */
  contiguous(memoryFormat: 'contiguous' | 'channels-last' = 'contiguous'): Tensor {
    return wrap(native().contiguous(this.handle, memoryFormat === 'channels-last'));
  }
  isContiguous(memoryFormat: 'contiguous' | 'channels-last' = 'contiguous'): boolean {
    return native().isContiguous(this.handle, memoryFormat === 'channels-last');
  }
  clone(): Tensor {
    return wrap(native().clone(this.handle));
  }
  /** The same data, cut from the autograd graph. */
  detach(): Tensor {
    return wrap(native().detach(this.handle));
  }

  // ---- arithmetic and comparison (broadcasting) ----
  add(o: Operand): Tensor {
    return wrap(native().add(this.handle, h(o)));
  }
  sub(o: Operand): Tensor {
    return wrap(native().sub(this.handle, h(o)));
  }
  mul(o: Operand): Tensor {
    return wrap(native().mul(this.handle, h(o)));
  }
  div(o: Operand): Tensor {
    return wrap(native().div(this.handle, h(o)));
  }
  pow(o: Operand): Tensor {
    return wrap(native().pow(this.handle, h(o)));
  }
  remainder(o: Operand): Tensor {
    return wrap(native().remainder(this.handle, h(o)));
  }
  maximum(o: Operand): Tensor {
    return wrap(native().maximum(this.handle, h(o)));
  }
  minimum(o: Operand): Tensor {
    return wrap(native().minimum(this.handle, h(o)));
  }
  eq(o: Operand): Tensor {
    return wrap(native().eq(this.handle, h(o)));
  }
  ne(o: Operand): Tensor {
    return wrap(native().ne(this.handle, h(o)));
  }
  lt(o: Operand): Tensor {
    return wrap(native().lt(this.handle, h(o)));
  }
  le(o: Operand): Tensor {
    return wrap(native().le(this.handle, h(o)));
  }
  gt(o: Operand): Tensor {
    return wrap(native().gt(this.handle, h(o)));
  }
  ge(o: Operand): Tensor {
    return wrap(native().ge(this.handle, h(o)));
  }
  logicalAnd(o: Tensor): Tensor {
    return wrap(native().logicalAnd(this.handle, o.handle));
  }
  logicalOr(o: Tensor): Tensor {
    return wrap(native().logicalOr(this.handle, o.handle));
  }
  logicalNot(): Tensor {
    return wrap(native().logicalNot(this.handle));
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return wrap(native().clamp(this.handle, min, max));
  }
  /** this + weight * (end - this) */
  lerp(end: Tensor, weight: number): Tensor {
    return wrap(native().lerp(this.handle, end.handle, weight));
  }
  matmul(o: Tensor): Tensor {
    return wrap(native().matmul(this.handle, o.handle));
  }

  // ---- elementwise ----
  neg(): Tensor {
    return wrap(native().neg(this.handle));
  }
  abs(): Tensor {
    return wrap(native().abs(this.handle));
  }
  exp(): Tensor {
    return wrap(native().exp(this.handle));
  }
  log(): Tensor {
    return wrap(native().log(this.handle));
  }
  sqrt(): Tensor {
    return wrap(native().sqrt(this.handle));
  }
  rsqrt(): Tensor {
    return wrap(native().rsqrt(this.handle));
  }
  sin(): Tensor {
    return wrap(native().sin(this.handle));
  }
  cos(): Tensor {
    return wrap(native().cos(this.handle));
  }
  sign(): Tensor {
    return wrap(native().sign(this.handle));
  }
  floor(): Tensor {
    return wrap(native().floor(this.handle));
  }
  ceil(): Tensor {
    return wrap(native().ceil(this.handle));
  }
  round(): Tensor {
    return wrap(native().round(this.handle));
  }
  square(): Tensor {
    return wrap(native().square(this.handle));
  }
  reciprocal(): Tensor {
    return wrap(native().reciprocal(this.handle));
  }
  isnan(): Tensor {
    return wrap(native().isnan(this.handle));
  }
  isfinite(): Tensor {
    return wrap(native().isfinite(this.handle));
  }
  relu(): Tensor {
    return wrap(native().relu(this.handle));
  }
  leakyRelu(slope = 0.01): Tensor {
    return wrap(native().leakyRelu(this.handle, slope));
  }
  sigmoid(): Tensor {
    return wrap(native().sigmoid(this.handle));
  }
  tanh(): Tensor {
    return wrap(native().tanh(this.handle));
  }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return wrap(native().gelu(this.handle, approximate));
  }
  softplus(beta = 1, threshold = 20): Tensor {
    return wrap(native().softplus(this.handle, beta, threshold));
  }
  softmax(dim: number): Tensor {
    return wrap(native().softmax(this.handle, dim));
  }
  logSoftmax(dim: number): Tensor {
    return wrap(native().logSoftmax(this.handle, dim));
  }

  // ---- reductions (no dims = over everything) ----
  sum(dims?: number | readonly number[], keepdim = false): Tensor {
    return wrap(native().sum(this.handle, dimsOf(dims), keepdim));
  }
  mean(dims?: number | readonly number[], keepdim = false): Tensor {
    return wrap(native().mean(this.handle, dimsOf(dims), keepdim));
  }
  amax(dims?: number | readonly number[], keepdim = false): Tensor {
    return wrap(native().amax(this.handle, dimsOf(dims), keepdim));
  }
  amin(dims?: number | readonly number[], keepdim = false): Tensor {
    return wrap(native().amin(this.handle, dimsOf(dims), keepdim));
  }
  argmax(dim: number, keepdim = false): Tensor {
    return wrap(native().argmax(this.handle, dim, keepdim));
  }
  argmin(dim: number, keepdim = false): Tensor {
    return wrap(native().argmin(this.handle, dim, keepdim));
  }
  var(dims?: number | readonly number[], keepdim = false, unbiased = true): Tensor {
    return wrap(native().var(this.handle, dimsOf(dims), keepdim, unbiased));
  }
  std(dims?: number | readonly number[], keepdim = false, unbiased = true): Tensor {
    return wrap(native().std(this.handle, dimsOf(dims), keepdim, unbiased));
  }
  norm(p = 2, dims?: number | readonly number[], keepdim = false): Tensor {
    return wrap(native().norm(this.handle, p, dimsOf(dims), keepdim));
  }
  logsumexp(dims: number | readonly number[], keepdim = false): Tensor {
    return wrap(native().logsumexp(this.handle, dimsOf(dims), keepdim));
  }
  cumsum(dim: number): Tensor {
    return wrap(native().cumsum(this.handle, dim));
  }

  // ---- shape ----
  reshape(...shape: number[]): Tensor {
    return wrap(native().reshape(this.handle, shape));
  }
  view(...shape: number[]): Tensor {
    return wrap(native().view(this.handle, shape));
  }
  permute(...dims: number[]): Tensor {
    return wrap(native().permute(this.handle, dims));
  }
  transpose(d0: number, d1: number): Tensor {
    return wrap(native().transpose(this.handle, d0, d1));
  }
  squeeze(dim: number): Tensor {
    return wrap(native().squeeze(this.handle, dim));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(native().unsqueeze(this.handle, dim));
  }
  flatten(start = 0, end = -1): Tensor {
    return wrap(native().flatten(this.handle, start, end));
  }
  expand(...shape: number[]): Tensor {
    return wrap(native().expand(this.handle, shape));
  }
  repeat(...reps: number[]): Tensor {
    return wrap(native().repeat(this.handle, reps));
  }
  flip(...dims: number[]): Tensor {
    return wrap(native().flip(this.handle, dims));
  }
  /** Elements start..end-1 (by step) along dim; negative and out-of-range bounds behave as in Python slices. */
  slice(dim: number, start = 0, end = Number.MAX_SAFE_INTEGER, step = 1): Tensor {
    return wrap(native().slice(this.handle, dim, start, end, step));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return this.slice(dim, start, start + length);
  }
  /** The sub-tensor at `index` along `dim` (that dim removed). */
  select(dim: number, index: number): Tensor {
    return wrap(native().select(this.handle, dim, index));
  }
  /** this[index] */
  at(index: number): Tensor {
    return this.select(0, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native().indexSelect(this.handle, dim, index.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(native().gather(this.handle, dim, index.handle));
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return wrap(native().maskedFill(this.handle, mask.handle, value));
  }
  /** `n` pieces along dim (the last may be smaller), as PyTorch's chunk. */
  chunk(n: number, dim = 0): Tensor[] {
    const size = Math.ceil(this.size(dim) / n);
    const out: Tensor[] = [];
    for (let s = 0; s < this.size(dim); s += size) out.push(this.slice(dim, s, s + size));
    return out;
  }

  // ---- in place (return this) ----
  add_(o: Operand, alpha = 1): this {
    native().add_(this.handle, h(o), alpha);
    return this;
  }
  mul_(o: Operand): this {
    native().mul_(this.handle, h(o));
    return this;
  }
  /** this + weight * (end - this), in place: one pass (an average of weights without a copy). */
  lerp_(end: Tensor, weight: number): this {
    native().lerp_(this.handle, end.handle, weight);
    return this;
  }
  copy_(src: Tensor): this {
    native().copy_(this.handle, src.handle);
    return this;
  }
  zero_(): this {
    native().zero_(this.handle);
    return this;
  }
  fill_(value: number): this {
    native().fill_(this.handle, value);
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    native().clamp_(this.handle, min, max);
    return this;
  }
  uniform_(low = 0, high = 1): this {
    native().uniform_(this.handle, low, high);
    return this;
  }
  normal_(mean = 0, std = 1): this {
    native().normal_(this.handle, mean, std);
    return this;
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native().meta(this.handle)[3];
  }
  /** Marks this tensor as a leaf whose gradient autograd computes. */
  requiresGrad_(on = true): this {
    native().setRequiresGrad(this.handle, on);
    return this;
  }
  /** The gradient accumulated by backward(), or null. */
  get grad(): Tensor | null {
    const g = native().grad(this.handle);
    return g === null ? null : new Tensor(g);
  }
  /** Back-propagates from this tensor (a scalar unless `gradient` is given). */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    if (!gradient && this.numel !== 1) {
      throw new FaceganError(
        ErrorCodes.BAD_ARGUMENT,
        `backward() without a gradient needs a one-element tensor but received shape [${this.shape.join(', ')}]; ` +
          'reduce it (e.g. .mean()) or pass a gradient',
      );
    }
    native().backward(this.handle, gradient?.handle, options.retainGraph ?? false);
  }

  toString(): string {
    return this.isDisposed ? 'Tensor(disposed)' : `Tensor(${this.dtype}, [${this.shape.join(', ')}], ${this.device})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal Wraps a native handle as a Tensor. */
export function wrap(handle: Handle): Tensor {
  return new Tensor(handle);
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

setTensorCheck(isTensor);
