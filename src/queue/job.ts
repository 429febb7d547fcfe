/**
 * The job model that the command line, the dashboard and the workers share. A job is a stage (convert or extract)
 * with its checked options, cut into tasks that any machine can run: a long video becomes parts cut at keyframes, a
 * batch becomes one task per photo (a few dozen per task for extract) and per video part. Tasks carry paths and
 * options (JSON), never code. The job's id comes from what it does, so the same command run again finds the same
 * job and the parts already done.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { ConvertOptions } from '../convert/convert.js';
import type { ExtractOptions } from '../extract/extract.js';
import { cutAtKeyframes, probeFrameIndex, type FrameIndex } from '../media/video-index.js';
import { VERSION } from '../version.js';

/** convert's options as a job carries them: plain data, no callbacks. */
export type JobOptions = Omit<ConvertOptions, 'signal' | 'onProgress' | 'onWarning' | 'times' | 'frames'>;

/** extract's options as a job carries them, with the alignments file resolved. */
export type ExtractJobOptions = Omit<ExtractOptions, 'signal' | 'onProgress' | 'onWarning' | 'alignments'> & {
  alignments: string;
};

/**
 * One piece of work for one machine: a photo, frames [from, to) of a video, or (extract) some files of a folder.
 * `output`: the file the task writes, renamed into place when whole (a photo, a video part, a part's alignments).
 */
export interface Task {
  index: number;
  input: string;
  output: string;
  /** `index`: the video's frame times, attached by the worker that runs the task (never queued: see frameIndexFile). */
  frames?: { from: number; to: number; index?: FrameIndex };
  files?: string[];
  /** Frames (1 per photo), for progress over the whole job. */
  size: number;
}

/** A video put together from its parts once they are all done. */
export interface Assembly {
  output: string;
  /** Indices of its tasks, in order. */
  tasks: number[];
  audioFrom: string;
  audioCodec?: string;
}

interface JobBase {
  id: string;
  /** The facegan version that made the job: workers of another version leave it alone. */
  version: string;
  /** Where the parts are written (on storage every worker shares), removed when the job is done. */
  work: string;
  tasks: Task[];
  /** Videos joined from their parts at the end (convert). */
  assemblies: Assembly[];
}

export interface ConvertJob extends JobBase {
  stage: 'convert';
  options: JobOptions;
  /** What options.output is: one video, one image, or a folder (a batch). */
  outputKind: 'video' | 'image' | 'folder';
}

export interface ExtractJob extends JobBase {
  stage: 'extract';
  options: ExtractJobOptions;
}

export type Job = ConvertJob | ExtractJob;

/** A job as a queued task carries it: without its list of tasks. */
export type JobHead = Job extends infer J ? (J extends Job ? Omit<J, 'tasks' | 'assemblies'> : never) : never;

/** Video parts are cut at the first keyframe after every this many seconds by default. */
export const DEFAULT_PART_SECONDS = 20;

/**
 * The id of a job: its stage, what it reads (the input's path, size and time; a folder's files too, since a folder's
 * own time does not change when a file in it is edited), what it writes, the options, and what `more` names.
 */
export function jobId(stage: Job['stage'], input: string, options: object, more: object): string {
  const st = statSync(input);
  const sorted = Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1)));
  const files = st.isDirectory()
    ? readdirSync(input)
        .sort()
        .map((f) => {
          const s = statSync(join(input, f));
          return [f, s.size, s.mtimeMs];
        })
    : [];
  const what = JSON.stringify({ stage, input, size: st.size, mtime: st.mtimeMs, files, VERSION, sorted, more });
  return createHash('sha256').update(what).digest('hex').slice(0, 16);
}

/** The job's work folder: hidden, beside the output file, or inside the output folder. */
export const workFolder = (output: string, id: string, folder: boolean) =>
  folder ? join(output, `.facegan-job-${id}`) : join(dirname(output), `.${basename(output)}.facegan-job-${id}`);

/**
 * Adds a video's parts to the job as tasks, each cut at a keyframe about `partSeconds` after the last, and returns
 * their indices. `partName(i)` names part i's output (in the job's work folder).
 */
export function addVideoParts(job: Job, video: string, partSeconds: number, partName: (i: number) => string): number[] {
  const first = job.tasks.length;
  for (const [i, p] of cutAtKeyframes(probeFrameIndex(video), partSeconds).entries())
    job.tasks.push({ index: job.tasks.length, input: video, output: partName(i), frames: p, size: p.to - p.from });
  return job.tasks.slice(first).map((t) => t.index);
}

/** A part file's name: STEM.partNNNNN.EXT. */
export const partFile = (stem: string, i: number, ext: string) =>
  `${basename(stem, extname(stem))}.part${String(i).padStart(5, '0')}${ext}`;

/** Where the job keeps a video's frame index (read once by the coordinator, not by every worker for every part). */
export const frameIndexFile = (job: { work: string }, video: string) =>
  join(job.work, `frames-${createHash('sha1').update(video).digest('hex').slice(0, 12)}.json`);

/** Refuses a part length that is not above 0. */
export function checkPartSeconds(partSeconds: number): void {
  if (!(partSeconds > 0))
    throw new FaceganError(ErrorCodes.USAGE, `Expected a part length in seconds above 0, but received ${partSeconds}.`);
}
