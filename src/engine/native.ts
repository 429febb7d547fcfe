/**
 * The only module that touches the native addon. It loads build/Release/facegan_native.node, types its
 * functions, and turns libtorch's errors into FaceganErrors that name the operation.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, FaceganError } from '../core/errors.js';

/** An opaque, type-tagged handle owning one libtorch tensor. */
export type Handle = { readonly __brand: 'TensorHandle' };
type H = Handle;
type Num = number | boolean;
type HN = H | Num;
type Opt<T> = T | null | undefined;
/** How adamStep runs: one pass per parameter, multi-tensor ops over all, or tensor ops one at a time. */
export type AdamKernel = 'fused' | 'foreach' | 'loop';

export interface NativeEngine {
  fromBytes(bytes: Uint8Array, dtype: string, shape: readonly number[], device: string): H;
  toBytes(t: H): Buffer;
  meta(t: H): [number[], string, string, boolean];
  item(t: H): number | boolean;
  dispose(t: H): void;
  isDisposed(t: H): boolean;
  liveTensors(): number;
  trimMemory(): boolean;
  isContiguous(t: H, channelsLast: boolean): boolean;
  // arithmetic
  add(a: H, b: HN): H;
  sub(a: H, b: HN): H;
  mul(a: H, b: HN): H;
  div(a: H, b: HN): H;
  pow(a: H, b: HN): H;
  remainder(a: H, b: HN): H;
  eq(a: H, b: HN): H;
  ne(a: H, b: HN): H;
  lt(a: H, b: HN): H;
  le(a: H, b: HN): H;
  gt(a: H, b: HN): H;
  ge(a: H, b: HN): H;
  maximum(a: H, b: HN): H;
  minimum(a: H, b: HN): H;
  rpow(a: H, base: number): H;
  logicalAnd(a: H, b: H): H;
  logicalOr(a: H, b: H): H;
  where(c: H, a: HN, b: HN): H;
  clamp(a: H, min: Opt<number>, max: Opt<number>): H;
  lerp(a: H, b: H, w: number): H;
  matmul(a: H, b: H): H;
  bmm(a: H, b: H): H;
  linear(x: H, w: H, b: Opt<H>): H;
  // unary and activations
  neg(a: H): H;
  abs(a: H): H;
  exp(a: H): H;
  log(a: H): H;
  sqrt(a: H): H;
  rsqrt(a: H): H;
  sin(a: H): H;
  cos(a: H): H;
  sign(a: H): H;
  floor(a: H): H;
  ceil(a: H): H;
  round(a: H): H;
  square(a: H): H;
  reciprocal(a: H): H;
  logicalNot(a: H): H;
  isnan(a: H): H;
  isfinite(a: H): H;
  relu(a: H): H;
  sigmoid(a: H): H;
  tanh(a: H): H;
  leakyRelu(a: H, slope: number): H;
  gelu(a: H, approximate: string): H;
  softplus(a: H, beta: number, threshold: number): H;
  softmax(a: H, dim: number): H;
  logSoftmax(a: H, dim: number): H;
  // reductions
  sum(a: H, dims: number[], keepdim: boolean): H;
  mean(a: H, dims: number[], keepdim: boolean): H;
  amax(a: H, dims: number[], keepdim: boolean): H;
  amin(a: H, dims: number[], keepdim: boolean): H;
  argmax(a: H, dim: number, keepdim: boolean): H;
  argmin(a: H, dim: number, keepdim: boolean): H;
  var(a: H, dims: number[], keepdim: boolean, unbiased: boolean): H;
  std(a: H, dims: number[], keepdim: boolean, unbiased: boolean): H;
  norm(a: H, p: number, dims: number[], keepdim: boolean): H;
  logsumexp(a: H, dims: number[], keepdim: boolean): H;
  cumsum(a: H, dim: number): H;
  // shape
  reshape(a: H, shape: number[]): H;
  view(a: H, shape: number[]): H;
  permute(a: H, dims: number[]): H;
  transpose(a: H, d0: number, d1: number): H;
  squeeze(a: H, dim: number): H;
  unsqueeze(a: H, dim: number): H;
  flatten(a: H, start: number, end: number): H;
  expand(a: H, shape: number[]): H;
  repeat(a: H, reps: number[]): H;
  flip(a: H, dims: number[]): H;
  cat(ts: H[], dim: number): H;
  stack(ts: H[], dim: number): H;
  slice(a: H, dim: number, start: number, end: number, step: number): H;
  select(a: H, dim: number, index: number): H;
  indexSelect(a: H, dim: number, index: H): H;
  gather(a: H, dim: number, index: H): H;
  maskedFill(a: H, mask: H, value: number): H;
  contiguous(a: H, channelsLast: boolean): H;
  clone(a: H): H;
  detach(a: H): H;
  to(a: H, dtype: string, device: string): H;
  // layers
  conv2d(x: H, w: H, b: Opt<H>, stride: number[], padding: number[], dilation: number[], groups: number): H;
  /** [N, C, H, W] -> [N, C*kH*kW, L] (unfold): kernel, dilation, padding, stride. */
  im2col(x: H, kernel: number[], dilation: number[], padding: number[], stride: number[]): H;
  convTranspose2d(
    x: H,
    w: H,
    b: Opt<H>,
    stride: number[],
    padding: number[],
    outputPadding: number[],
    groups: number,
    dilation: number[],
  ): H;
  pixelShuffle(x: H, r: number): H;
  pixelUnshuffle(x: H, r: number): H;
  upsampleNearest2d(x: H, size: number[]): H;
  upsampleBilinear2d(x: H, size: number[], alignCorners: boolean): H;
  constantPad(x: H, pad: number[], value: number): H;
  reflectionPad2d(x: H, pad: number[]): H;
  replicationPad2d(x: H, pad: number[]): H;
  gridSample(x: H, grid: H, mode: number, padding: number, alignCorners: boolean): H;
  affineGrid(theta: H, size: number[], alignCorners: boolean): H;
  avgPool2d(x: H, k: number[], s: number[], p: number[]): H;
  maxPool2d(x: H, k: number[], s: number[], p: number[]): H;
  adaptiveAvgPool2d(x: H, size: number[]): H;
  batchNorm(x: H, w: Opt<H>, b: Opt<H>, rm: Opt<H>, rv: Opt<H>, training: boolean, momentum: number, eps: number): H;
  instanceNorm(
    x: H,
    w: Opt<H>,
    b: Opt<H>,
    rm: Opt<H>,
    rv: Opt<H>,
    useInputStats: boolean,
    momentum: number,
    eps: number,
  ): H;
  layerNorm(x: H, shape: number[], w: Opt<H>, b: Opt<H>, eps: number): H;
  groupNorm(x: H, groups: number, w: Opt<H>, b: Opt<H>, eps: number): H;
  dropout(x: H, p: number, train: boolean): H;
  l1Loss(a: H, b: H, reduction: number): H;
  mseLoss(a: H, b: H, reduction: number): H;
  bceWithLogits(x: H, y: H, w: Opt<H>, posWeight: Opt<H>, reduction: number): H;
  // factories
  zeros(shape: number[], dtype: string, device: string): H;
  ones(shape: number[], dtype: string, device: string): H;
  full(shape: number[], value: Num, dtype: string, device: string): H;
  empty(shape: number[], dtype: string, device: string): H;
  arange(start: number, end: number, step: number, dtype: string, device: string): H;
  linspace(start: number, end: number, steps: number, dtype: string, device: string): H;
  eye(n: number, dtype: string, device: string): H;
  rand(shape: number[], dtype: string, device: string): H;
  randn(shape: number[], dtype: string, device: string): H;
  randint(low: number, high: number, shape: number[], dtype: string, device: string): H;
  normal(mean: number, std: number, shape: number[], dtype: string, device: string): H;
  // in place
  add_(a: H, b: HN, alpha?: number): void;
  mul_(a: H, b: HN): void;
  lerp_(a: H, end: H, weight: number): void;
  copy_(a: H, b: H): void;
  zero_(a: H): void;
  fill_(a: H, v: Num): void;
  clamp_(a: H, min: Opt<number>, max: Opt<number>): void;
  uniform_(a: H, lo: number, hi: number): void;
  normal_(a: H, mean: number, std: number): void;
  // autograd
  setRequiresGrad(t: H, on: boolean): void;
  backward(t: H, grad: Opt<H>, retainGraph: boolean): void;
  grad(t: H): H | null;
  zeroGrad(ts: H[]): void;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  autogradGrad(outputs: H[], inputs: H[], gradOutputs: Opt<H[]>, createGraph: boolean): (H | null)[];
  // optimizers
  adamStep(
    p: H[],
    m: H[],
    v: H[],
    step: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    wd: number,
    decoupled: boolean,
    kernel: AdamKernel,
  ): void;
  clipGradNorm(p: H[], maxNorm: number): number;
  // runtime
  setNumThreads(n: number): void;
  numThreads(): number;
  manualSeed(seed: number): void;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  setAutocast(device: string, on: boolean, dtype: string): void;
  countOps(on: true, shapes: boolean): void;
  countOps(on: false): Record<string, number>;
  setFlushDenormal(on: boolean): boolean;
  version(): string;
  parallelInfo(): string;
}

const addonPath = fileURLToPath(new URL('../../build/Release/facegan_native.node', import.meta.url));

function load(): NativeEngine {
  if (!existsSync(addonPath)) {
    throw new FaceganError(
      ErrorCodes.NO_ENGINE,
      `The native engine is not built (expected ${addonPath}). Run \`npm run build:native\` in the facegan folder; ` +
        'it needs libtorch (on Debian/Ubuntu: sudo apt-get install -y libtorch-dev, ' +
        'or set LIBTORCH=/path/to/libtorch).',
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = createRequire(import.meta.url)(addonPath) as Record<string, unknown>;
  } catch (cause) {
    throw new FaceganError(
      ErrorCodes.NO_ENGINE,
      `The native engine at ${addonPath} does not load (${(cause as Error).message}). ` +
        'Rebuild it with `FACEGAN_REBUILD=1 npm run build:native`.',
      { cause },
    );
  }
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(raw)) {
    if (typeof fn !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        throw toFaceganError(name, e);
      }
    };
  }
  const engine = wrapped as unknown as NativeEngine;
  // Inside Node, libtorch's OpenMP starts with one thread: use every core unless told otherwise.
  const fromEnv = Number(process.env.FACEGAN_THREADS ?? process.env.OMP_NUM_THREADS);
  // Denormal floats flushed to zero, first, so that every thread libtorch starts later inherits it (the flag is
  // the thread's: V8's own arithmetic on this thread flushes them too). GAN training on a CPU measured 1.6-1.7x
  // faster (StyleGAN, docs/stylegan.md). FACEGAN_FLUSH_DENORMAL=0 keeps them.
  if (process.env.FACEGAN_FLUSH_DENORMAL !== '0') engine.setFlushDenormal(true);
  engine.setNumThreads(Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism());
  return engine;
}

function toFaceganError(op: string, e: unknown): FaceganError {
  const message = e instanceof Error ? e.message : String(e);
  if (/used after dispose/.test(message)) {
    return new FaceganError(
      ErrorCodes.DISPOSED,
      `${op}: a tensor was used after dispose(); keep() it or use it inside its tidy() scope`,
    );
  }
  if (e instanceof TypeError) return new FaceganError(ErrorCodes.BAD_ARGUMENT, `${op}: ${message}`, { cause: e });
  // libtorch messages end with the C++ location on a new line; the first line is the useful part.
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return new FaceganError(ErrorCodes.ENGINE, `${op} failed: ${first.trim()}`, { cause: e });
}

let engine: NativeEngine | undefined;

/** The loaded native engine (loaded on first use, so that importing facegan never fails by itself). */
export function native(): NativeEngine {
  engine ??= load();
  return engine;
}
