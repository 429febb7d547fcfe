/** Element types and devices, and how they map to typed arrays and safetensors names. */
import { invalid } from '../core/errors.js';

export const DTYPES = ['float32', 'float16', 'bfloat16', 'float64', 'int64', 'int32', 'uint8', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

/** A device string: `cpu`, `cuda` or `cuda:N`. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** The typed array a dtype reads into: f16/bf16 come back as their raw 16-bit patterns. */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'float16' | 'bfloat16'
      ? Uint16Array
      : D extends 'int64'
        ? BigInt64Array
        : D extends 'int32'
          ? Int32Array
          : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export function typedArrayFor(dtype: DType, bytes: Uint8Array): AnyTypedArray {
  const { buffer, byteOffset, byteLength } = bytes;
  const n = byteLength / BYTES_PER_ELEMENT[dtype];
  // Buffer.copy results are freshly allocated but may sit unaligned inside Node's pool: copy when unaligned.
  const aligned = byteOffset % BYTES_PER_ELEMENT[dtype] === 0;
  const buf = aligned ? buffer : bytes.slice().buffer;
  const off = aligned ? byteOffset : 0;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, off, n);
    case 'float64':
      return new Float64Array(buf, off, n);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buf, off, n);
    case 'int64':
      return new BigInt64Array(buf, off, n);
    case 'int32':
      return new Int32Array(buf, off, n);
    default:
      return new Uint8Array(buf, off, n);
  }
}

/** The dtype a typed array holds, for tensor(data) without an explicit dtype. */
export function dtypeOfArray(data: AnyTypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw invalid('a dtype option (a Uint16Array holds float16 or bfloat16 bits)', 'dtype', undefined);
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

export function checkDtype(dtype: unknown, name = 'dtype'): DType {
  if (!DTYPES.includes(dtype as DType)) throw invalid(`one of ${DTYPES.join(', ')}`, name, dtype);
  return dtype as DType;
}

export function checkDevice(device: unknown, name = 'device'): Device {
  if (typeof device !== 'string' || !/^(cpu|cuda(:\d+)?)$/.test(device))
    throw invalid('cpu, cuda or cuda:N', name, device);
  return device as Device;
}
