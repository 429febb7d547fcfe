/**
 * convert as a job: planned into tasks, the tasks run by a backend (in this process, or on workers through the
 * queue), then each video joined from its parts with the audio copied once and the synthetic label written. The
 * same command run again (after a crash, a Ctrl-C or kill -9 of this coordinator) finds the tasks already done on
 * disk and those still queued, and runs nothing twice.
 */
import { dirname, join, basename } from 'node:path';
import { mkdirSync } from 'node:fs';
import { progressMeter, type OnProgress } from '../core/progress.js';
import { lockAt, lockFolder } from '../io/lock.js';
import { writeFileAtomic } from '../io/atomic.js';
import { BullBackend, InProcessBackend, type Backend } from './backends.js';
import { planConvert, DEFAULT_PART_SECONDS, type Job, type JobOptions } from './job.js';
import { assemble, cleanUp, taskDone } from './tasks.js';

export interface ConvertJobOptions extends JobOptions {
  /** redis://HOST:PORT of the queue (default: run every task in this process). */
  queue?: string;
  /** Video parts are about this long (seconds, cut at keyframes). */
  partSeconds?: number;
  signal?: AbortSignal;
  /** Frames done over the whole job, with `figures.tasks` done. */
  onProgress?: OnProgress;
  onWarning?: (message: string) => void;
}

export interface ConvertJobSummary {
  job: string;
  /** The outputs written (videos joined, photos). */
  outputs: string[];
  tasks: number;
  /** Tasks found done already (by an earlier run of the same command). */
  reused: number;
  frames: number;
  seconds: number;
  /** Of which joining the parts and copying the audio. */
  joinSeconds: number;
  stopped: boolean;
}

/**
 * Converts an image, a video or a folder of both, shared over the queue's workers when `queue` is given.
 * @example
 * await convertJob({ input: 'film.mp4', output: 'out.mp4', modelDir: 'model/', queue: 'redis://localhost:6379' });
 */
export async function convertJob(options: ConvertJobOptions): Promise<ConvertJobSummary> {
  const started = performance.now();
  const { queue, partSeconds, signal, onProgress, onWarning, ...convertOptions } = options;
  const job = planConvert(convertOptions, partSeconds ?? DEFAULT_PART_SECONDS);
  // one coordinator per output: a second one is refused; one that died (kill -9) left a stale lock, taken over
  const out = job.options.output;
  const release =
    job.outputKind === 'video'
      ? lockAt(join(dirname(out), `.${basename(out)}.lock`), `The output ${out}`)
      : job.outputKind === 'folder'
        ? lockFolder(out, 'The output folder')
        : () => undefined;
  let backend: Backend | undefined;
  try {
    backend = queue ? await BullBackend.open(queue) : new InProcessBackend();
    mkdirSync(job.work, { recursive: true });
    writeFileAtomic(join(job.work, 'job.json'), [JSON.stringify(job, null, 1)]);
    const done = new Set(job.tasks.filter(taskDone).map((t) => t.index));
    const pending = job.tasks.filter((t) => !done.has(t.index));
    const total = job.tasks.reduce((s, t) => s + t.size, 0);
    const progress = progressMeter('convert', 'frames', onProgress);
    const doneOf = new Map(job.tasks.map((t) => [t.index, done.has(t.index) ? t.size : 0]));
    const report = () => {
      let frames = 0;
      for (const v of doneOf.values()) frames += v;
      const tasks = job.tasks.filter((t) => doneOf.get(t.index) === t.size).length;
      progress(frames, total, { tasks, of: job.tasks.length });
    };
    await backend.run(job, pending, {
      ...(signal ? { signal } : {}),
      onTask: (t, d) => {
        doneOf.set(t.index, Math.min(t.size, d));
        report();
      },
      ...(onWarning ? { onWarning } : {}),
    });
    const stopped = !!signal?.aborted;
    const joinStart = performance.now();
    if (!stopped) {
      assemble(job);
      cleanUp(job);
    }
    const joinSeconds = (performance.now() - joinStart) / 1000;
    return {
      job: job.id,
      outputs: stopped ? [] : outputsOf(job),
      tasks: job.tasks.length,
      reused: done.size,
      frames: total,
      seconds: (performance.now() - started) / 1000,
      joinSeconds,
      stopped,
    };
  } finally {
    await backend?.close();
    release();
  }
}

const outputsOf = (job: Job) => [
  ...job.assemblies.map((a) => a.output),
  ...job.tasks.filter((t) => !t.frames).map((t) => t.output),
];
