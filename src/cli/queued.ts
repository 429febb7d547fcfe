/** The command line waiting on a job shared over the queue (convert --queue, extract --queue). */
import type { OnProgress, StageName } from '../core/progress.js';
import { stoppableBySigint } from './interrupt.js';
import { progressBar, warn } from './progress.js';

/**
 * Runs `start` (a job's coordinator) with one bar over its tasks, Ctrl-C stopping only the wait; returns its summary,
 * or undefined (said) when the wait was stopped: the tasks stay queued.
 */
export async function waitForJob<S extends { job: string; stopped: boolean }>(
  stage: StageName,
  start: (hooks: { signal: AbortSignal; onWarning: (m: string) => void; onProgress: OnProgress }) => Promise<S>,
): Promise<S | undefined> {
  const bar = progressBar(stage, 'frames');
  const s = await stoppableBySigint(
    'stopping the wait; the queued tasks keep running on the workers: run the same command again to pick them up ' +
      '(or facegan jobs cancel JOB).',
    (signal) =>
      start({
        signal,
        onWarning: warn,
        onProgress: (p) => bar.update(p.done, p.total, `${p.figures.tasks}/${p.figures.of} tasks`),
      }),
  );
  bar.finish();
  if (!s.stopped) return s;
  console.log(`stopped waiting for job ${s.job}; its tasks stay queued`);
  return undefined;
}
