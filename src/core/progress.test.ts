/** The one progress event: rate and time left from the first report on, the stage's figures passed through. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { progressMeter, type Progress } from './progress.js';

test('a meter adds rate and time left, counted from its first report (a resumed run starts at 40)', async () => {
  const seen: Progress[] = [];
  const report = progressMeter('train', 'iterations', (p) => seen.push(p));
  report(41, 100, { lossA: 0.5 });
  await sleep(200);
  report(51, 100, { lossA: 0.4 });
  assert.equal(seen.length, 2);
  assert.deepEqual([seen[0]!.stage, seen[0]!.unit, seen[0]!.rate, seen[0]!.eta], ['train', 'iterations', 0, Infinity]);
  const p = seen[1]!;
  // 11 iterations since the run began at 40, in about 0.2 s: at most 55 a second, 49 left
  assert.ok(p.rate > 5 && p.rate <= 55.01, `rate ${p.rate}`);
  assert.ok(Math.abs(p.eta - 49 / p.rate) < 1e-9);
  assert.deepEqual(p.figures, { lossA: 0.4 });
  progressMeter('extract', 'frames', undefined)(1, 2); // no listener: nothing to do, nothing thrown
});
