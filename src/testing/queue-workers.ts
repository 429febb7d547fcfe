/**
 * Worker processes for tests of the job queue: `facegan worker` spawned on this machine, with the lines it prints
 * (started/done/failed TASK) collected, and helpers to wait on them, count them and kill the workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'facegan.js');

// a worker is not a test process: it must not inherit the test runner's context
const { NODE_TEST_CONTEXT: _ctx, ...parentEnv } = process.env;
export const workerEnv = { ...parentEnv, FACEGAN_THREADS: '1' };

export interface WorkerProcess {
  proc: ChildProcess;
  lines: string[];
  ready: Promise<void>;
}

/**
 * A worker process on the queue at `url`, allowed `roots`, with a 10 s lock: a killed one's task moves on soon (30 s
 * by default), while a worker slowed by the other test file running beside it (npm test runs two) still renews its
 * lock in time (at 4 s, finished parts ran twice under that load).
 */
export function workerProcess(url: string, roots: string[]): WorkerProcess {
  const proc = spawn(
    process.execPath,
    [BIN, 'worker', '--queue', url, '--threads', '1', '--lock-seconds', '10', '--root', ...roots],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: workerEnv },
  );
  const lines: string[] = [];
  let ready!: () => void;
  const readyP = new Promise<void>((r, reject) => {
    ready = r;
    proc.on('exit', (code) =>
      reject(new Error(`the worker exited (${code}) before it was ready:\n${lines.join('\n')}`)),
    );
  });
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    const all = (partial + s).split('\n');
    partial = all.pop()!;
    for (const l of all) {
      lines.push(l);
      if (l.includes('waiting for tasks')) ready();
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => lines.push(`stderr: ${s}`));
  return { proc, lines, ready: readyP };
}

/** Waits for `p`, or fails after `ms` with what the workers printed (a hang shows its cause). */
export async function within<T>(p: Promise<T>, ms: number, ws: { lines: string[] }[]): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`not done in ${ms / 1000} s; workers said:\n${ws.map((w) => w.lines.join('\n')).join('\n--\n')}`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `ready()` holds (checked every 100 ms). */
export const until = (ready: () => boolean) =>
  new Promise<void>((res) => {
    const t = setInterval(() => {
      if (ready()) {
        clearInterval(t);
        res();
      }
    }, 100);
  });

export async function stopAll(ws: { proc: ChildProcess }[]): Promise<void> {
  for (const w of ws) w.proc.kill('SIGKILL');
  // a process killed by a signal has a signalCode and no exitCode, and its 'exit' has been and gone
  const gone = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;
  await Promise.all(ws.map((w) => new Promise((r) => (gone(w.proc) ? r(0) : w.proc.on('exit', r)))));
}

/**
 * How often each task was `kind` (started, done, failed) in the workers' lines (`TIME KIND TASK[: message]`; the
 * kind is the second word: "skipped T: done already" is not a task "already" done).
 */
export function count(lines: string[], kind: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) {
    const hit = new RegExp(`^\\S+ ${kind} ([^\\s:]+)`).exec(l);
    if (hit) m.set(hit[1]!, (m.get(hit[1]!) ?? 0) + 1);
  }
  return m;
}
