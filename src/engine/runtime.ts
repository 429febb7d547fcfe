/** Process-wide engine settings: threads, seeds, devices, mixed precision, and the live-tensor count. */
import { readFileSync } from 'node:fs';
import { native } from './native.js';
import type { Device, DType } from './dtype.js';
import { ErrorCodes, FaceganError, invalid } from '../core/errors.js';

/** Sets the number of threads libtorch uses for one operation. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw invalid('a positive integer', 'threads', n);
  native().setNumThreads(n);
}

export function numThreads(): number {
  return native().numThreads();
}

/**
 * Flushes denormal floats to zero (FTZ/DAZ) on this thread and the threads libtorch starts after it; false where
 * the CPU cannot. The engine turns it on as it loads (before its first op); FACEGAN_FLUSH_DENORMAL=0 leaves it off.
 */
export function setFlushDenormal(on: boolean): boolean {
  return native().setFlushDenormal(on);
}

/** Seeds every generator (CPU and CUDA), so that rand/randn/initialisers repeat. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw invalid('a non-negative integer', 'seed', seed);
  native().manualSeed(seed);
}

export const cuda = {
  isAvailable: (): boolean => native().cudaIsAvailable(),
  deviceCount: (): number => native().cudaDeviceCount(),
};

/** Refuses a cuda device where this libtorch has none, with what to do instead. */
export function checkDeviceAvailable(device: Device): Device {
  if (device !== 'cpu' && !native().cudaIsAvailable()) {
    throw new FaceganError(
      ErrorCodes.NO_DEVICE,
      `device ${device} was asked for but this libtorch has no CUDA device; ` +
        'use cpu, or build facegan against a CUDA libtorch (LIBTORCH=/path/to/libtorch npm run build:native)',
    );
  }
  return device;
}

/** Resolves `auto` to cuda when there is one, else cpu; refuses cuda where there is none. */
export function resolveDevice(device: 'auto' | Device): Device {
  if (device === 'auto') return cuda.isAvailable() ? 'cuda' : 'cpu';
  return checkDeviceAvailable(device);
}

/** The number of tensors alive (made and not yet disposed or collected): steady in a loop that does not leak. */
export function liveTensors(): number {
  return native().liveTensors();
}

/**
 * Returns freed heap pages to the operating system (glibc keeps them for reuse otherwise), so that resident memory
 * shows what is really in use: call it after a large release, such as between training and a long convert.
 */
export function trimMemory(): boolean {
  return native().trimMemory();
}

export function libtorchVersion(): string {
  return native().version();
}

/** The dtypes of the autocast regions open on each device, innermost last. */
const autocastRegions: Record<'cpu' | 'cuda', DType[]> = { cpu: [], cuda: [] };

/**
 * Runs fn with autocast: ops that support it (convolutions, matmuls) compute in `dtype` (bfloat16 on CPUs with
 * avx512_bf16/AMX, float16 or bfloat16 on CUDA) while parameters stay float32. Regions nest, as PyTorch's do: an
 * inner one ends by restoring the outer one. Within the outermost region each parameter is cast once however often
 * it is used (libtorch's autocast cache, dropped as that region ends), so one region around every forward pass of
 * a step (both sides of a shared encoder, say) casts the shared weights once instead of once per region.
 */
export function autocast<T>(device: 'cpu' | 'cuda', dtype: DType, fn: () => T): T {
  const open = autocastRegions[device];
  native().setAutocast(device, true, dtype);
  open.push(dtype);
  try {
    return fn();
  } finally {
    open.pop();
    const outer = open.at(-1);
    native().setAutocast(device, outer !== undefined, outer ?? dtype);
  }
}

/** What one call of countOps saw: libtorch ops (aten::*, backward nodes) and crossings into the addon, by name. */
export interface OpCounts<T> {
  result: T;
  ops: Record<string, number>;
  calls: Record<string, number>;
}

/**
 * A debugging tool: runs fn and counts the libtorch ops it issues (nested ones and the backward pass included,
 * as PyTorch's profiler lists them) and the calls into the native addon. Costs nothing when not counting. With
 * `shapes`, each op name is followed by its first tensor input's shape and dtype (`aten::_to_copy [16, 256] Float`).
 * @example
 * const { ops } = countOps(() => trainStep(opt, loss, { autocast: 'bfloat16' }));  // ops['aten::_to_copy']
 */
export function countOps<T>(fn: () => T, o: { shapes?: boolean } = {}): OpCounts<T> {
  const engine = native() as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = Object.entries(engine);
  const stop = (): Record<string, number> => native().countOps(false);
  const calls: Record<string, number> = {};
  native().countOps(true, o.shapes === true);
  for (const [name, f] of originals) {
    engine[name] = (...args: unknown[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return f(...args);
    };
  }
  try {
    const result = fn();
    for (const [name, f] of originals) engine[name] = f;
    return { result, ops: stop(), calls };
  } catch (e) {
    for (const [name, f] of originals) engine[name] = f;
    stop();
    throw e;
  }
}

/**
 * Whether bf16 runs natively (and so faster than fp32) on this device: CUDA GPUs, and CPUs with AMX or
 * AVX512-BF16 (read from /proc/cpuinfo; elsewhere assumed not). Measured on such a CPU: the original model's
 * forward pass is 3-6x faster in bf16.
 */
export function hasFastBf16(device: 'cpu' | 'cuda'): boolean {
  if (device === 'cuda') return true;
  try {
    return /\b(amx_bf16|avx512_bf16)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}
