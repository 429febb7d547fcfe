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

/**
 * Runs fn with autocast: ops that support it (convolutions, matmuls) compute in `dtype` (bfloat16 on CPUs with
 * avx512_bf16/AMX, float16 or bfloat16 on CUDA) while parameters stay float32.
 */
export function autocast<T>(device: 'cpu' | 'cuda', dtype: DType, fn: () => T): T {
  native().setAutocast(device, true, dtype);
  try {
    return fn();
  } finally {
    native().setAutocast(device, false, dtype);
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
