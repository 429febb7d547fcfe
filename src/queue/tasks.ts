/**
 * Running a job's tasks and putting its videos together: what a worker does with a task it takes, what the
 * in-process backend does with all of them, and what the coordinator does once every part is done.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { convert } from '../convert/convert.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { countVideoPackets, joinVideoParts } from '../media/concat.js';
import { provenanceTags } from '../media/provenance.js';
import { removePartials } from '../media/video-writer.js';
import { frameIndexFile, type ConvertJob, type Job, type Task } from './job.js';
import { loadFrameIndex } from '../media/video-index.js';
import { convertTaskOptions } from './plan-convert.js';
import { runExtractTask } from './extract-task.js';

/**
 * Whether a task's output is there and whole: outputs are renamed into place only when complete, and a video
 * part's frames are counted.
 */
export function taskDone(job: Job, task: Task): boolean {
  if (!existsSync(task.output)) return false;
  return (
    job.stage !== 'convert' || !task.frames || countVideoPackets(task.output) === task.frames.to - task.frames.from
  );
}

/** Runs one task in this process. `onProgress` gets the frames done of the task. */
export async function runTask(
  job: Job,
  task: Task,
  o: { signal?: AbortSignal; onProgress?: (done: number) => void; onWarning?: (m: string) => void } = {},
): Promise<void> {
  mkdirSync(job.work, { recursive: true });
  // the video's frame times as the coordinator saved them (else the part's reader reads the whole video for them)
  const index = task.frames && loadFrameIndex(frameIndexFile(job, task.input), task.input);
  if (index) task = { ...task, frames: { ...task.frames!, index } };
  if (job.stage === 'extract') return runExtractTask(job, task, o);
  const s = await convert({
    ...convertTaskOptions(job, task),
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (p) => o.onProgress?.(p.done),
    ...(o.onWarning ? { onWarning: o.onWarning } : {}),
  });
  if (s.stopped) throw new FaceganError(ErrorCodes.QUEUE, `Task ${task.index} of job ${job.id} was stopped.`);
  if (!taskDone(job, task))
    throw new FaceganError(
      ErrorCodes.QUEUE,
      `Task ${task.index} of job ${job.id} wrote ${task.output}, ` +
        `but it does not hold the ${task.size} frames asked for.`,
    );
}

/** Joins each video of the job from its parts (the audio copied once, the synthetic label written). */
export function assemble(job: ConvertJob): void {
  for (const a of job.assemblies) {
    const parts = a.tasks.map((i) => job.tasks[i]!);
    const missing = parts.filter((t) => !taskDone(job, t));
    if (missing.length)
      throw new FaceganError(
        ErrorCodes.QUEUE,
        `${a.output} cannot be joined: ${missing.length} of its ${parts.length} parts are not done.`,
      );
    joinVideoParts({
      parts: parts.map((t) => t.output),
      output: a.output,
      audioFrom: a.audioFrom,
      ...(a.audioCodec ? { audioCodec: a.audioCodec } : {}),
      metadata: job.options.provenance === false ? {} : provenanceTags(),
      workDir: job.work,
    });
  }
}

/** Removes the job's parts once its outputs are in place (and the hidden partial files of dead writers). */
export function cleanUp(job: Job): void {
  for (const a of job.assemblies) removePartials(a.output); // a join cut short by a kill
  if (!existsSync(job.work)) return;
  if (job.stage === 'convert') for (const t of job.tasks) if (t.frames) removePartials(t.output);
  rmSync(job.work, { recursive: true, force: true });
}
