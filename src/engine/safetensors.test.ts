import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  saveSafetensors,
  loadSafetensors,
  parseSafetensorsHeader,
  tensor,
  rand,
  randint,
  type DType,
} from './index.js';
import { ErrorCodes } from '../core/errors.js';
import { pythonWithTorch } from '../testing/python.js';
import { assertClose, assertFails } from '../testing/assert.js';

const dir = mkdtempSync(join(tmpdir(), 'facegan-st-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function python(code: string): string {
  const r = spawnSync(pythonWithTorch(), ['-c', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python3 with torch is needed (apt-get install -y python3-torch): ${r.stderr}`);
  return r.stdout;
}

test('round trip of every dtype, with metadata, leaves no temporary file', () => {
  const dtypes: DType[] = ['float32', 'float16', 'bfloat16', 'float64', 'int64', 'int32', 'uint8', 'bool'];
  const src = new Map(dtypes.map((d) => [`t.${d}`, d === 'bool' ? rand([2, 3]).gt(0.5) : rand([2, 3]).mul(100).to(d)]));
  src.set('empty', rand([0, 4]));
  const path = join(dir, 'all.safetensors');
  saveSafetensors(path, src, { model: 'test', note: 'x' });
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
  const { tensors, metadata } = loadSafetensors(path);
  assert.deepEqual(metadata, { model: 'test', note: 'x' });
  for (const [k, t] of src) {
    const u = tensors.get(k)!;
    assert.equal(u.dtype, t.dtype, k);
    assert.deepEqual(u.shape, t.shape, k);
    assert.deepEqual(u.bytes(), t.bytes(), k);
  }
  const header = parseSafetensorsHeader(readFileSync(path));
  assert.equal(header.dataStart % 8, 0, 'data starts 8-byte aligned');
});

test('reads a file written by another implementation, whatever its header and data order', () => {
  const path = join(dir, 'python.safetensors');
  python(
    `
import json, struct, torch
t = {
  'z.weight': torch.tensor([[1.5, -2, 3], [4, 5, 6.25]], dtype=torch.float32),
  'a.bias': torch.tensor([7, -9007199254740993], dtype=torch.int64),
  'm.half': torch.tensor([0.5, -1, 2], dtype=torch.float16),
  'b.bf': torch.tensor([1.5, -3], dtype=torch.bfloat16),
  'flag': torch.tensor([True, False, True]),
}
raw = {k: v.view(torch.int16).numpy().tobytes() if v.dtype == torch.bfloat16 else ` +
      `v.numpy().tobytes() for k, v in t.items()}
names = {torch.float32: 'F32', torch.int64: 'I64', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.bool: 'BOOL'}
header, data = {}, b''
for k in reversed(list(t)):           # data in the reverse of the header's order
    header[k] = {'dtype': names[t[k].dtype], 'shape': list(t[k].shape), ` +
      `'data_offsets': [len(data), len(data) + len(raw[k])]}
    data += raw[k]
header = {k: header[k] for k in t}    # header keys in insertion order, unsorted
header['__metadata__'] = {'format': 'pt'}
h = json.dumps(header).encode()
open('${path}', 'wb').write(struct.pack('<Q', len(h)) + h + data)
`,
  );
  const { tensors, metadata } = loadSafetensors(path);
  assert.equal(metadata.format, 'pt');
  assertClose(tensors.get('z.weight')!, [1.5, -2, 3, 4, 5, 6.25]);
  assert.deepEqual([...(tensors.get('a.bias')!.data() as BigInt64Array)], [7n, -9007199254740993n]);
  assertClose(tensors.get('m.half')!, [0.5, -1, 2]);
  assertClose(tensors.get('b.bf')!, [1.5, -3]);
  assert.deepEqual([...(tensors.get('flag')!.data() as Uint8Array)], [1, 0, 1]);
});

test('a file written here reads back in Python to the same values', () => {
  const path = join(dir, 'ours.safetensors');
  const w = rand([3, 4]);
  const i = randint(-5, 5, [6]);
  const h = rand([5]).to('bfloat16');
  saveSafetensors(path, { 'layer.weight': w, ids: i, h }, { model: 'original' });
  const out = JSON.parse(
    python(`
import json, struct, torch
b = open('${path}', 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
header = json.loads(b[8:8 + n])
meta = header.pop('__metadata__')
types = {'F32': torch.float32, 'I64': torch.int64, 'BF16': torch.bfloat16}
res = {'meta': meta}
for k, e in header.items():
    s, t = e['data_offsets']
    dt = types[e['dtype']]
    raw = torch.frombuffer(bytearray(b[8 + n + s: 8 + n + t]), dtype=torch.int16 if dt == torch.bfloat16 else dt)
    v = raw.view(torch.bfloat16) if dt == torch.bfloat16 else raw
    res[k] = v.reshape(e['shape']).float().flatten().tolist()
print(json.dumps(res))
`),
  ) as Record<string, number[]> & { meta: Record<string, string> };
  assert.deepEqual(out.meta, { model: 'original' });
  assertClose(out['layer.weight']!, w.toNumbers(), 1e-7);
  assertClose(out.ids!, i.toNumbers(), 0);
  assertClose(out.h!, h.toNumbers(), 0);
});

test('missing, truncated and malformed files give clear errors', () => {
  assertFails(
    () => loadSafetensors(join(dir, 'nope.safetensors')),
    ErrorCodes.BAD_FILE,
    /No safetensors file at .*nope.safetensors/,
  );
  const short = join(dir, 'short.safetensors');
  writeFileSync(short, Buffer.from([1, 2, 3]));
  assertFails(() => loadSafetensors(short), ErrorCodes.BAD_FILE, /fewer than the 8-byte header length/);
  const good = join(dir, 'good.safetensors');
  saveSafetensors(good, { w: tensor([1, 2, 3, 4]) });
  const bytes = readFileSync(good);
  const cut = join(dir, 'cut.safetensors');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 4));
  assertFails(
    () => loadSafetensors(cut),
    ErrorCodes.BAD_FILE,
    /tensor w has offsets \[0, 16\] but .* needs 16 bytes within 12/,
  );
  const notJson = join(dir, 'notjson.safetensors');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(4n);
  writeFileSync(notJson, Buffer.concat([len, Buffer.from('{{{{')]));
  assertFails(() => loadSafetensors(notJson), ErrorCodes.BAD_FILE, /header is not JSON/);
});

/** A safetensors file with this header text and `data` bytes after it. */
function withHeader(name: string, header: string, data = 0): string {
  const path = join(dir, name),
    text = Buffer.from(header),
    len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(path, Buffer.concat([len, text, Buffer.alloc(data)]));
  return path;
}

const hostileHeadersTitle =
  'hostile headers: null, an array, bad shapes and offsets, too large, too many tensors; each refused in one line';
test(hostileHeadersTitle, () => {
  const cases: [string, string, RegExp][] = [
    ['null', 'null', /header is null, not a JSON object/],
    ['array', '[1, 2]', /header is \[1, 2\], not a JSON object/],
    ['tensor-null', '{"w": null}', /tensor w has dtype undefined/],
    ['neg-shape', '{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}', /tensor w lacks a valid shape/],
    [
      'str-offsets',
      '{"w": {"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}}',
      /lacks a valid shape or data_offsets/,
    ],
    ['meta', '{"__metadata__": {"a": 1}}', /__metadata__ is not an object of strings/],
  ];
  for (const [name, header, message] of cases) {
    assertFails(() => loadSafetensors(withHeader(`${name}.safetensors`, header, 4)), ErrorCodes.BAD_FILE, message);
  }
  // 20 001 tiny tensors, and a header of 17 MB: refused before they are parsed into memory
  const many = Object.fromEntries(
    Array.from({ length: 20_001 }, (_, i) => [`t${i}`, { dtype: 'U8', shape: [0], data_offsets: [0, 0] }]),
  );
  assertFails(
    () => loadSafetensors(withHeader('many.safetensors', JSON.stringify(many))),
    ErrorCodes.BAD_FILE,
    /lists 20001 tensors, over the 20000/,
  );
  const big = JSON.stringify({ __metadata__: { pad: 'x'.repeat(17 * 2 ** 20) } });
  assertFails(
    () => loadSafetensors(withHeader('big.safetensors', big)),
    ErrorCodes.BAD_FILE,
    /header is 17\.0 MB, over the 16 MB/,
  );
});

test('an interrupted save leaves the previous file intact', () => {
  const path = join(dir, 'keep.safetensors');
  saveSafetensors(path, { w: tensor([1, 2]) });
  // the header is built (shape known), the first tensor written, then reading the second fails mid-write
  const disposed = tensor([3]);
  assert.deepEqual(disposed.shape, [1]);
  disposed.dispose();
  assertFails(() => saveSafetensors(path, { a: tensor([9, 9]), w: disposed }), ErrorCodes.DISPOSED);
  assertClose(loadSafetensors(path).tensors.get('w')!, [1, 2]);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});
