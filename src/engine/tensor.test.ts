import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  ones,
  full,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  normal,
  cat,
  stack,
  where,
  fromBytes,
  tidy,
  manualSeed,
  liveTensors,
  type DType,
} from './index.js';
import { assertClose, assertShape } from '../testing/assert.js';

test('tensors round-trip through typed arrays for every dtype', () => {
  const cases: [DType, ArrayLike<number | bigint> & { buffer: ArrayBufferLike }][] = [
    ['float32', new Float32Array([1.5, -2, 3.25, 0])],
    ['float64', new Float64Array([1e-300, -2, 3.25, 7])],
    ['int64', new BigInt64Array([1n, -2n, 3n, 9007199254740993n])],
    ['int32', new Int32Array([1, -2, 3, 2147483647])],
    ['uint8', new Uint8Array([0, 1, 254, 255])],
    ['bool', new Uint8Array([0, 1, 1, 0])],
    ['float16', new Uint16Array([0x3c00, 0xc000, 0x4248, 0])], // 1, -2, 3.14, 0
    ['bfloat16', new Uint16Array([0x3f80, 0xc000, 0x4049, 0])], // 1, -2, 3.14, 0
  ];
  for (const [dtype, data] of cases) {
    const t = tensor(data as never, { dtype, shape: [2, 2] });
    assert.equal(t.dtype, dtype);
    assertShape(t, [2, 2]);
    assert.deepEqual(Array.from(t.data() as ArrayLike<number>), Array.from(data as ArrayLike<number>), dtype);
    t.dispose();
  }
  // half types convert to the right numbers
  assertClose(tensor(new Uint16Array([0x3c00, 0xc000]), { dtype: 'float16' }).toNumbers(), [1, -2]);
  assertClose(tensor([1, -2, 3.140625], { dtype: 'bfloat16' }).toNumbers(), [1, -2, 3.140625]);
});

test('nested arrays give shape, numbers default to float32, and bad data is refused', () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(t.dtype, 'float32');
  assertShape(t, [2, 3]);
  assert.equal(t.ndim, 2);
  assert.equal(t.numel, 6);
  assert.equal(t.size(-1), 3);
  assert.equal(tensor(7).item(), 7);
  assert.throws(() => tensor([[1, 2], [3]]), /rectangular/);
  assert.throws(() => tensor(new Float32Array(4), { shape: [3] }), /shape with 4 elements/);
});

test('from raw bytes, and to another dtype', () => {
  const f = new Float32Array([1, 2, 3]);
  const t = fromBytes(new Uint8Array(f.buffer), 'float32', [3]);
  assertClose(t, [1, 2, 3]);
  const i = t.to('int32');
  assert.equal(i.dtype, 'int32');
  assert.deepEqual([...(i.data() as Int32Array)], [1, 2, 3]);
  assert.equal(t.to({ dtype: 'float64', device: 'cpu' }).dtype, 'float64');
  assert.equal(t.device, 'cpu');
});

test('broadcasting arithmetic matches hand-computed values', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = tensor([10, 20]);
  assertClose(a.add(b), [11, 22, 13, 24]);
  assertClose(a.sub(1), [0, 1, 2, 3]);
  assertClose(a.mul(b), [10, 40, 30, 80]);
  assertClose(a.div(2), [0.5, 1, 1.5, 2]);
  assertClose(a.pow(2), [1, 4, 9, 16]);
  assertClose(a.neg().abs(), [1, 2, 3, 4]);
  assertClose(a.sqrt(), [1, Math.SQRT2, Math.sqrt(3), 2]);
  assertClose(a.exp().log(), [1, 2, 3, 4], 1e-5);
  assertClose(a.maximum(2.5), [2.5, 2.5, 3, 4]);
  assertClose(a.minimum(tensor([2, 2])), [1, 2, 2, 2]);
  assertClose(a.remainder(3), [1, 2, 0, 1]);
  assertClose(a.clamp(1.5, 3.5), [1.5, 2, 3, 3.5]);
  assertClose(a.clamp(null, 2), [1, 2, 2, 2]);
  assertClose(
    a.lerp(
      tensor([
        [3, 2],
        [1, 0],
      ]),
      0.5,
    ),
    [2, 2, 2, 2],
  );
  const start = tensor([1, 2, 3, 4]);
  assert.equal(start.lerp_(tensor([3, 2, 1, 0]), 0.25), start); // in place, returns itself
  assertClose(start, [1.5, 2, 2.5, 3]);
});

test('comparisons and where', () => {
  const a = tensor([1, 2, 3, 4]);
  assert.deepEqual([...(a.gt(2).data() as Uint8Array)], [0, 0, 1, 1]);
  assert.equal(a.gt(2).dtype, 'bool');
  assert.deepEqual([...(a.le(2).data() as Uint8Array)], [1, 1, 0, 0]);
  assert.deepEqual([...(a.eq(tensor([1, 0, 3, 0])).data() as Uint8Array)], [1, 0, 1, 0]);
  assert.deepEqual([...(a.ne(3).logicalAnd(a.lt(4)).data() as Uint8Array)], [1, 1, 0, 0]);
  assertClose(where(a.gt(2), a, 0), [0, 0, 3, 4]);
  assertClose(where(a.gt(2), -1, a), [1, 2, -1, -1]);
  assertClose(where(a.gt(2), 1, 0), [0, 0, 1, 1]);
  assertClose(a.maskedFill(a.lt(3), 9), [9, 9, 3, 4]);
});

test('matmul, and reductions over chosen dims', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  assertClose(a.matmul(tensor([[5], [6]])), [17, 39]);
  assertClose(a.sum(), 10);
  assertClose(a.sum(0), [4, 6]);
  assertShape(a.sum(1, true), [2, 1]);
  assertClose(a.mean(1), [1.5, 3.5]);
  assertClose(a.amax(0), [3, 4]);
  assertClose(a.amin(), 1);
  assert.deepEqual(a.argmax(1).toNumbers(), [1, 1]);
  assertClose(a.var(), 5 / 3, 1e-5);
  assertClose(a.std(1, false, false), [0.5, 0.5]);
  assertClose(a.norm(), Math.sqrt(30));
  assertClose(a.norm(1, 1), [3, 7]);
  assertClose(a.logsumexp(1), [Math.log(Math.E + Math.E ** 2), Math.log(Math.E ** 3 + Math.E ** 4)], 1e-5);
  assertClose(a.cumsum(1), [1, 3, 3, 7]);
  assertClose(a.softmax(1).sum(1), [1, 1]);
});

test('view, reshape, permute, cat, stack, slicing and indexing', () => {
  const a = arange(0, 6, 1, { dtype: 'float32' }).reshape(2, 3);
  assertClose(a, [0, 1, 2, 3, 4, 5]);
  assertClose(a.transpose(0, 1), [0, 3, 1, 4, 2, 5]);
  assertClose(a.permute(1, 0).contiguous().view(6), [0, 3, 1, 4, 2, 5]);
  assertShape(a.unsqueeze(0), [1, 2, 3]);
  assertShape(a.unsqueeze(0).squeeze(0), [2, 3]);
  assertShape(a.reshape(1, 2, 3).flatten(), [6]);
  assertShape(a.expand(4, 2, 3), [4, 2, 3]);
  assertClose(a.repeat(1, 2).at(0), [0, 1, 2, 0, 1, 2]);
  assertClose(a.flip(1).at(0), [2, 1, 0]);
  assertClose(cat([a, a], 0).sum(1), [3, 12, 3, 12]);
  assertShape(stack([a, a, a], 1), [2, 3, 3]);
  assertClose(a.slice(1, 1), [1, 2, 4, 5]);
  assertClose(a.slice(1, 0, 3, 2), [0, 2, 3, 5]);
  assertClose(a.slice(1, -1), [2, 5]);
  assertClose(a.narrow(0, 1, 1), [3, 4, 5]);
  assertClose(a.select(1, 2), [2, 5]);
  assertClose(a.indexSelect(1, tensor([2, 0], { dtype: 'int64' })), [2, 0, 5, 3]);
  assertClose(
    a.gather(
      1,
      tensor(
        [
          [0, 0],
          [2, 1],
        ],
        { dtype: 'int64' },
      ),
    ),
    [0, 0, 5, 4],
  );
  assert.deepEqual(
    a.chunk(2, 1).map((c) => [...c.shape]),
    [
      [2, 2],
      [2, 1],
    ],
  );
});

test('memory layout: channels-last keeps values and reports its layout', () => {
  const x = rand([2, 3, 4, 5]);
  const cl = x.contiguous('channels-last');
  assert.ok(cl.isContiguous('channels-last'));
  assert.ok(!cl.isContiguous());
  assertClose(cl.sub(x).abs().amax(), 0);
  assertShape(cl, [2, 3, 4, 5]);
});

test('constants, ranges and seeded random draws', () => {
  assertClose(zeros([2]), [0, 0]);
  assertClose(ones([2], { dtype: 'float64' }), [1, 1]);
  assertClose(full([3], 2.5), [2.5, 2.5, 2.5]);
  assert.equal(arange(5).dtype, 'int64');
  assertClose(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
  assertClose(linspace(0, 1, 3), [0, 0.5, 1]);
  assertClose(eye(2), [1, 0, 0, 1]);
  manualSeed(42);
  const r1 = rand([100]).toNumbers();
  const n1 = randn([1000]);
  manualSeed(42);
  assert.deepEqual(rand([100]).toNumbers(), r1);
  assertClose(randn([1000]).sub(n1).abs().amax(), 0);
  assert.ok(r1.every((v) => v >= 0 && v < 1));
  assertClose(n1.mean(), 0, 0.1);
  assertClose(n1.std(), 1, 0.1);
  const ri = randint(3, 7, [500]);
  assert.equal(ri.dtype, 'int64');
  assert.ok(ri.amin().item() >= 3 && ri.amax().item() <= 6);
  const nm = normal(5, 2, [2000]);
  assertClose(nm.mean(), 5, 0.05);
  assertClose(nm.std(), 2, 0.05);
});

test('tidy releases intermediates and keeps what it returns', () => {
  const before = liveTensors();
  const kept = tidy(() => {
    const a = rand([10, 10]);
    const b = a.matmul(a).relu().sum(0);
    return { b, list: [b.mul(2)] };
  });
  assert.equal(liveTensors(), before + 2);
  assert.ok(!kept.b.isDisposed);
  kept.b.dispose();
  kept.list[0]!.dispose();
  assert.equal(liveTensors(), before);
});
