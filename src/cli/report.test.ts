import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportFrames } from './convert.js';
import type { ConvertSummary } from '../convert/convert.js';

const summary = (stopped: boolean): ConvertSummary => ({
  output: { kind: 'video', path: '/tmp/out.mp4' } as ConvertSummary['output'],
  frames: 75,
  faces: 75,
  withoutFaces: 0,
  skipped: 0,
  source: 'detector',
  seconds: 3,
  stopped,
  warnings: [],
});

function printed(run: () => number): { code: number; lines: string[] } {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    return { code: run(), lines };
  } finally {
    console.log = log;
  }
}

test('a stop that came after the last frame is reported as such: the whole video is kept, exit 0', () => {
  const stop = new AbortController();
  stop.abort();
  const late = printed(() => reportFrames(summary(false), 'swapped', stop.signal));
  assert.equal(late.code, 0);
  assert.match(late.lines[0]!, /the stop came after the last frame: the output is complete and was kept/);
  assert.match(late.lines.at(-1)!, /^output: \/tmp\/out\.mp4$/);

  const stopped = printed(() => reportFrames(summary(true), 'swapped', stop.signal));
  assert.equal(stopped.code, 130);
  assert.deepEqual(stopped.lines, ['stopped after 75 frames; no video was written']);

  const plain = printed(() => reportFrames(summary(false), 'swapped', new AbortController().signal));
  assert.equal(plain.code, 0);
  assert.ok(!plain.lines.some((l) => /stop/.test(l)), plain.lines.join('\n'));
});
