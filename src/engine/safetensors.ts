/**
 * safetensors files (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON
 * header of {name: {dtype, shape, data_offsets}} plus optional string metadata, then the raw little-endian data.
 * Files written here load in Python's safetensors, and files from PyTorch load here whatever their header order.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import type { Tensor } from './tensor.js';
import { fromBytes } from './factory.js';
import { type Device, type DType, BYTES_PER_ELEMENT } from './dtype.js';
import { writeFileAtomic } from '../io/atomic.js';
import { describe, ErrorCodes, FaceganError } from '../core/errors.js';

const TO_FILE: Record<DType, string> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};
const FROM_FILE = Object.fromEntries(Object.entries(TO_FILE).map(([k, v]) => [v, k as DType])) as Record<string, DType>;

export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

const bad = (path: string, why: string): FaceganError =>
  new FaceganError(ErrorCodes.BAD_FILE, `${path} is not a valid safetensors file: ${why}`);

/** The largest header facegan reads (a model of 10 000 tensors needs about 1 MB), and the most tensors per file. */
export const MAX_HEADER_BYTES = 16 * 2 ** 20;
export const MAX_TENSORS = 20_000;

const isDims = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length <= 8 && v.every((d) => Number.isSafeInteger(d) && d >= 0);
const isOffsets = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((d) => Number.isSafeInteger(d) && d >= 0);

/** Parses and validates the header of a safetensors file held in `buf`. */
export function parseSafetensorsHeader(buf: Uint8Array, path = 'the file'): SafetensorsHeader {
  if (buf.byteLength < 8) throw bad(path, `it has ${buf.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > buf.byteLength - 8) throw bad(path, `its header length ${headerLen} runs past the end of the file`);
  if (headerLen > MAX_HEADER_BYTES) {
    throw bad(
      path,
      `its header is ${(headerLen / 2 ** 20).toFixed(1)} MB, over the ${MAX_HEADER_BYTES / 2 ** 20} MB facegan reads`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, headerLen).toString('utf8'));
  } catch {
    throw bad(path, 'its header is not JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw bad(path, `its header is ${describe(json)}, not a JSON object`);
  const header = json as Record<string, unknown>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  if (names.length > MAX_TENSORS)
    throw bad(path, `it lists ${names.length} tensors, over the ${MAX_TENSORS} facegan reads`);
  const dataStart = 8 + headerLen;
  const dataLen = buf.byteLength - dataStart;
  const metadata = header.__metadata__ ?? {};
  if (
    !metadata ||
    typeof metadata !== 'object' ||
    Array.isArray(metadata) ||
    !Object.values(metadata).every((v) => typeof v === 'string')
  ) {
    throw bad(path, 'its __metadata__ is not an object of strings');
  }
  const entries: SafetensorsEntry[] = [];
  for (const name of names) {
    const e = (header[name] ?? {}) as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_FILE[String(e.dtype)];
    if (!dtype)
      throw bad(
        path,
        `tensor ${name} has dtype ${describe(e.dtype)}; facegan reads ${Object.keys(FROM_FILE).join(', ')}`,
      );
    if (!isDims(e.shape) || !isOffsets(e.data_offsets))
      throw bad(path, `tensor ${name} lacks a valid shape or data_offsets`);
    const [begin, end] = e.data_offsets;
    const expected = e.shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
    if (!(end <= dataLen && end - begin === expected)) {
      throw bad(
        path,
        `tensor ${name} has offsets [${begin}, ${end}] but shape [${e.shape}] ` +
          `of ${dtype} needs ${expected} bytes within ${dataLen}`,
      );
    }
    entries.push({ name, dtype, shape: e.shape, begin, end });
  }
  return { entries, metadata: metadata as Record<string, string>, dataStart };
}

/**
 * Saves tensors (and string metadata) as a safetensors file, atomically.
 * @example
 * saveSafetensors('model.safetensors', model.stateDict(), { model: 'original' });
 */
export function saveSafetensors(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
): void {
  const list = [...(tensors instanceof Map ? tensors : Object.entries(tensors))].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of list) {
    const n = t.numel * BYTES_PER_ELEMENT[t.dtype];
    header[name] = { dtype: TO_FILE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // data starts 8-byte aligned
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  function* chunks(): Generator<Uint8Array | string> {
    yield len;
    yield json;
    for (const [, t] of list) yield t.bytes(); // one tensor's copy in memory at a time
  }
  writeFileAtomic(path, chunks());
}

/** Loads every tensor of a safetensors file (onto `device`, default cpu), with its metadata. */
export function loadSafetensors(
  path: string,
  options: { device?: Device } = {},
): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No safetensors file at ${path}: check the path (a model folder holds model.safetensors).`,
    );
  }
  const buf = readFileSync(path);
  const { entries, metadata, dataStart } = parseSafetensorsHeader(buf, path);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart + e.begin, e.end - e.begin);
    tensors.set(e.name, fromBytes(bytes, e.dtype, e.shape, options.device));
  }
  return { tensors, metadata };
}
