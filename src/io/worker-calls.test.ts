import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { WorkerCalls } from './worker-calls.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

/** A worker that answers { id, x } with { id, y: 2x }, fails x < 0, never answers x = 0 and exits on x = 99. */
const doubler = () =>
  new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', ({ id, x }) => {
       if (x === 99) process.exit(3);
       if (x === 0) return;
       parentPort.postMessage(x < 0 ? { id, error: 'negative' } : { id, y: 2 * x });
     });`,
    { eval: true },
  );

function open() {
  const calls = new WorkerCalls<{ y: number }>((e) => new FaceganError(ErrorCodes.ENGINE, `stopped: ${e.message}`));
  const worker = calls.watch(doubler());
  worker.on('message', (r: { id: number; y?: number; error?: string }) =>
    calls.settle(r.id, r.error ? new FaceganError(ErrorCodes.BAD_FILE, r.error) : { y: r.y! }),
  );
  let id = 0;
  const ask = (x: number) => {
    const n = id++;
    return calls.call(n, () => worker.postMessage({ id: n, x }));
  };
  return { calls, ask };
}

test('replies settle their own calls, out of order too, and an error reply fails only its call', async () => {
  const { calls, ask } = open();
  try {
    const [a, b, c] = [ask(1), ask(-1), ask(5)];
    const failed = assert.rejects(b, (e: FaceganError) => e.code === ErrorCodes.BAD_FILE && /negative/.test(e.message));
    assert.deepEqual(await c, { y: 10 });
    assert.deepEqual(await a, { y: 2 });
    await failed;
    assert.equal(calls.waiting, 0);
  } finally {
    await calls.close();
  }
});

test("a worker that ends before close() fails the calls waiting and later, with the wrapper's error", async () => {
  const { calls, ask } = open();
  try {
    const waiting = ask(0); // never answered
    const exit = ask(99);
    for (const p of [waiting, exit])
      await assert.rejects(
        p,
        (e: FaceganError) => e.code === ErrorCodes.ENGINE && /stopped: it ended \(exit code 3\)/.test(e.message),
      );
    await assert.rejects(ask(1), /stopped: it ended/, 'later calls fail at once rather than wait');
    assert.ok(calls.failed);
  } finally {
    await calls.close();
  }
});

test('close() fails the calls still waiting and refuses later ones, and the end it causes is no failure', async () => {
  const { calls, ask } = open();
  const waiting = assert.rejects(
    ask(0),
    (e: FaceganError) => e.code === ErrorCodes.USAGE && /was closed/.test(e.message),
  );
  await calls.close();
  await waiting;
  await assert.rejects(ask(1), /the thread was closed; open a new one/);
  assert.equal(calls.failed, undefined);
});

test('a request that cannot be sent fails its call and leaves nothing waiting', async () => {
  const { calls } = open();
  try {
    await assert.rejects(
      calls.call(7, () => {
        throw new Error('cannot clone');
      }),
      /cannot clone/,
    );
    assert.equal(calls.waiting, 0);
  } finally {
    await calls.close();
  }
});
