/**
 * The coordinator every stage's job shares: it takes the stage's locks on the output, writes the job down, runs the
 * tasks not yet done through a backend (in this process, or on workers through the queue), shows one progress over
 * all of them, then lets the stage finish (join the videos, merge the alignments) and removes the parts. The same
 * command run again (after a crash, a Ctrl-C or kill -9 of this coordinator) finds the tasks already done on disk and
 * those still queued, and runs nothing twice.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { progressMeter, type OnProgress } from '../core/progress.js';
import { writeFileAtomic } from '../io/atomic.js';
import { BullBackend, InProcessBackend, type Backend } from './backends.js';
import { frameIndexFile, type Job } from './job.js';
import { loadFrameIndex, probeFrameIndex, saveFrameIndex } from '../media/video-index.js';
import { cleanUp, taskDone } from './tasks.js';

export interface JobRunOptions {
  /** redis://HOST:PORT of the queue (default: run every task in this process). */
  queue?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Frames done over the whole job, with `figures.tasks` done of `figures.of`. */
  onProgress?: OnProgress | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

export interface JobRunSummary {
  job: string;
  /** The outputs written (videos joined, photos, the alignments file). */
  outputs: string[];
  tasks: number;
  /** Tasks found done already (by an earlier run of the same command). */
  reused: number;
  frames: number;
  seconds: number;
  /** Of which finishing: joining the parts and copying the audio, or merging the alignments. */
  joinSeconds: number;
  stopped: boolean;
}

export interface StageEnds {
  /** Takes the stage's locks on its outputs; returns their release. */
  lock: () => () => void;
  /** Puts the outputs together from the finished tasks; returns them. */
  finish: () => string[];
}

export async function runJob(job: Job, o: JobRunOptions, ends: StageEnds): Promise<JobRunSummary> {
  const started = performance.now();
  // one coordinator per output: a second one is refused; one that died (kill -9) left a stale lock, taken over
  const release = ends.lock();
  let backend: Backend | undefined;
  try {
    backend = o.queue ? await BullBackend.open(o.queue) : new InProcessBackend();
    mkdirSync(job.work, { recursive: true });
    writeFileAtomic(join(job.work, 'job.json'), [JSON.stringify(job, null, 1)]);
    // each video's frame times, read once here (planning read them already): a worker would read the whole video
    for (const video of new Set(job.tasks.filter((t) => t.frames).map((t) => t.input)))
      if (!loadFrameIndex(frameIndexFile(job, video), video))
        saveFrameIndex(frameIndexFile(job, video), video, probeFrameIndex(video));
    const done = new Set(job.tasks.filter((t) => taskDone(job, t)).map((t) => t.index));
    const pending = job.tasks.filter((t) => !done.has(t.index));
    const total = job.tasks.reduce((s, t) => s + t.size, 0);
    const progress = progressMeter(job.stage, 'frames', o.onProgress);
    const doneOf = new Map(job.tasks.map((t) => [t.index, done.has(t.index) ? t.size : 0]));
    const report = () => {
      let frames = 0;
      for (const v of doneOf.values()) frames += v;
      const tasks = job.tasks.filter((t) => doneOf.get(t.index) === t.size).length;
      progress(frames, total, { tasks, of: job.tasks.length });
    };
    await backend.run(job, pending, {
      ...(o.signal ? { signal: o.signal } : {}),
      onTask: (t, d) => {
        doneOf.set(t.index, Math.min(t.size, d));
        report();
      },
      ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    });
    const stopped = !!o.signal?.aborted;
    const finishStart = performance.now();
    let outputs: string[] = [];
    if (!stopped) {
      outputs = ends.finish();
      await backend.finished(job);
      cleanUp(job);
    }
    return {
      job: job.id,
      outputs,
      tasks: job.tasks.length,
      reused: done.size,
      frames: total,
      seconds: (performance.now() - started) / 1000,
      joinSeconds: (performance.now() - finishStart) / 1000,
      stopped,
    };
  } finally {
    await backend?.close();
    release();
  }
}
