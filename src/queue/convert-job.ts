/**
 * convert as a job: planned into tasks (plan-convert.ts), run by a backend, then each video joined from its parts
 * with the audio copied once and the synthetic label written (see run-job.ts for what the coordinator does).
 */
import { basename, dirname, join } from 'node:path';
import { lockAt, lockFolder } from '../io/lock.js';
import { DEFAULT_PART_SECONDS, type JobOptions } from './job.js';
import { planConvert } from './plan-convert.js';
import { runJob, type JobRunOptions, type JobRunSummary } from './run-job.js';
import { assemble } from './tasks.js';

export interface ConvertJobOptions extends JobOptions, JobRunOptions {
  /** Video parts are about this long (seconds, cut at keyframes). */
  partSeconds?: number;
}

export type ConvertJobSummary = JobRunSummary;

/**
 * Converts an image, a video or a folder of both, shared over the queue's workers when `queue` is given.
 * @example
 * await convertJob({ input: 'film.mp4', output: 'out.mp4', modelDir: 'model/', queue: 'redis://localhost:6379' });
 */
export function convertJob(options: ConvertJobOptions): Promise<ConvertJobSummary> {
  const { queue, partSeconds, signal, onProgress, onWarning, ...convertOptions } = options;
  const job = planConvert(convertOptions, partSeconds ?? DEFAULT_PART_SECONDS);
  const out = job.options.output;
  return runJob(
    job,
    { queue, signal, onProgress, onWarning },
    {
      lock: () =>
        job.outputKind === 'video'
          ? lockAt(join(dirname(out), `.${basename(out)}.lock`), `The output ${out}`)
          : job.outputKind === 'folder'
            ? lockFolder(out, 'The output folder')
            : () => undefined,
      finish: () => {
        assemble(job);
        return [...job.assemblies.map((a) => a.output), ...job.tasks.filter((t) => !t.frames).map((t) => t.output)];
      },
    },
  );
}
