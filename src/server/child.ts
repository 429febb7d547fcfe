/**
 * One dashboard job's own process: runs a stage on the options in the job's folder and writes what happens there,
 * as it happens: events.jsonl (progress, warnings) and, at the end, result.json. It reads nothing from the server
 * and writes nothing to it, so a job outlives a server that is killed, and a restarted server reads its true state
 * from these files. SIGINT or SIGTERM stops the stage cleanly (training writes its checkpoint first).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaceganError } from '../core/errors.js';
import type { Progress } from '../core/progress.js';
import { writeFileAtomic } from '../io/atomic.js';
import { DASHBOARD_STAGES } from './stages.js';

/** Progress is written at most this often (the last of a run always). */
const EVENT_MS = 250;

export interface JobResult {
  run: number;
  state: 'done' | 'failed' | 'stopped';
  summary?: unknown;
  error?: { code?: string; message: string };
  ended: string;
}

const dir = process.argv[2]!;
const { stage, resolved, run } = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as {
  stage: string;
  resolved: Record<string, unknown>;
  run: number;
};
const event = (e: Record<string, unknown>) =>
  appendFileSync(join(dir, 'events.jsonl'), `${JSON.stringify({ t: Date.now(), run, ...e })}\n`);
const finish = (r: Omit<JobResult, 'run' | 'ended'>) =>
  writeFileAtomic(join(dir, 'result.json'), [JSON.stringify({ ...r, run, ended: new Date().toISOString() })]);

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop.abort());
let last = 0,
  pending: Progress | undefined;
const onProgress = (p: Progress) => {
  pending = p;
  if (Date.now() - last < EVENT_MS) return;
  last = Date.now();
  event({ type: 'progress', ...p, eta: Number.isFinite(p.eta) ? p.eta : null });
  pending = undefined;
};
event({ type: 'started', pid: process.pid });
try {
  const summary = await DASHBOARD_STAGES[stage]!.run(resolved, {
    signal: stop.signal,
    onProgress,
    onWarning: (message) => event({ type: 'warning', message }),
    onEvent: event,
  });
  if (pending) event({ type: 'progress', ...pending, eta: null });
  finish({ state: stop.signal.aborted ? 'stopped' : 'done', summary });
} catch (e) {
  const error =
    e instanceof FaceganError ? { code: e.code, message: e.message } : { message: String((e as Error)?.stack ?? e) };
  if (stop.signal.aborted)
    finish({ state: 'stopped', error }); // (stopped while it was starting, say)
  else {
    event({ type: 'error', ...error });
    finish({ state: 'failed', error });
    process.exitCode = 1;
  }
}
