/**
 * extract as a job: a video cut into parts at keyframes, a folder into groups of photos, each task run by a worker
 * into the job's faces folder with its frames in its own alignments file, and those files merged into the one
 * alignments file at the end. The same command run again picks up the tasks done.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { checkGiven } from '../core/options.js';
import {
  loadOrCreate,
  refuseOutputAsInput,
  refuseVisibilityWithoutMesh,
  type ExtractOptions,
} from '../extract/extract.js';
import { EXTRACT_DEFAULTS, EXTRACT_SCHEMA } from '../extract/options.js';
import { writeFileAtomic } from '../io/atomic.js';
import { defaultAlignmentsPath, readAlignmentsFile } from '../io/alignments-file.js';
import { lockAt, lockFolder } from '../io/lock.js';
import { folderEntries, inputKind } from '../media/frames.js';
import { VERSION } from '../version.js';
import {
  addVideoParts,
  checkPartSeconds,
  jobId,
  partFile,
  workFolder,
  DEFAULT_PART_SECONDS,
  type ExtractJob,
} from './job.js';
import { notesFile, type TaskNotes } from './extract-task.js';
import { runJob, type JobRunOptions, type JobRunSummary } from './run-job.js';

/** Photos of a folder per task: enough to make a worker's start-up (the detector's models) small beside them. */
export const PHOTOS_PER_TASK = 40;

export type ExtractJobInput = Omit<ExtractOptions, 'signal' | 'onProgress' | 'onWarning'>;

/** Plans an extract as a job: checks the options as extract does, resolves the paths, cuts the input into tasks. */
export function planExtract(
  given: ExtractJobInput,
  partSeconds = DEFAULT_PART_SECONDS,
  photosPerTask = PHOTOS_PER_TASK,
): ExtractJob {
  checkGiven(EXTRACT_SCHEMA, given as unknown as Record<string, unknown>);
  checkPartSeconds(partSeconds);
  if (!(Number.isInteger(photosPerTask) && photosPerTask > 0))
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Expected photos per task as an integer above 0, but received ${photosPerTask}.`,
    );
  const input = resolve(given.input);
  const output = resolve(given.output);
  refuseOutputAsInput(input, output);
  refuseVisibilityWithoutMesh(given);
  const kind = inputKind(input);
  const options = {
    ...given,
    input,
    output,
    alignments: resolve(given.alignments ?? defaultAlignmentsPath(input)),
    ...(given.filter ? { filter: given.filter.map((f) => resolve(f)) } : {}),
    ...(given.nfilter ? { nfilter: given.nfilter.map((f) => resolve(f)) } : {}),
  };
  // an alignments file made with other crop settings is refused now, not after the work
  loadOrCreate(options.alignments, input, kind, size(options), coverage(options));
  const id = jobId('extract', input, options, { partSeconds, photosPerTask });
  const work = workFolder(output, id, true);
  const job: ExtractJob = { id, version: VERSION, stage: 'extract', options, work, tasks: [], assemblies: [] };
  const part = (i: number) => join(work, partFile(input, i, '.alignments.json'));
  if (kind === 'video') {
    addVideoParts(job, input, partSeconds, part);
    const everyN = options.everyN ?? EXTRACT_DEFAULTS.everyN;
    for (const t of job.tasks) t.size = Math.ceil(t.frames!.to / everyN) - Math.ceil(t.frames!.from / everyN);
  } else if (kind === 'image') job.tasks.push({ index: 0, input, output: part(0), size: 1 });
  else {
    const everyN = options.everyN ?? EXTRACT_DEFAULTS.everyN;
    const names = folderEntries(input)
      .map((e) => e.name)
      .filter((_, i) => i % everyN === 0);
    if (!names.length)
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `${input} holds no files: give a folder of images (.jpg, .png, .webp), an image or a video with -i.`,
      );
    // photos with one stem (face.jpg, face.png) share a task: their crops' names are settled by one worker
    const byStem = new Map<string, string[]>();
    for (const n of names) byStem.set(basename(n, extname(n)), [...(byStem.get(basename(n, extname(n))) ?? []), n]);
    let files: string[] = [];
    const flush = () => {
      if (!files.length) return;
      job.tasks.push({ index: job.tasks.length, input, output: part(job.tasks.length), files, size: files.length });
      files = [];
    };
    for (const group of byStem.values()) {
      if (files.length && files.length + group.length > photosPerTask) flush();
      files.push(...group);
    }
    flush();
  }
  return job;
}

const size = (o: { size?: number }) => o.size ?? EXTRACT_DEFAULTS.size;
const coverage = (o: { coverage?: number }) => o.coverage ?? EXTRACT_DEFAULTS.coverage;

export interface ExtractJobSummary extends JobRunSummary {
  alignments: string;
  output: string;
  faces: number;
  framesWithoutFaces: number;
  filtered: number;
  unreadable: { file: string; reason: string }[];
  warnings: string[];
}

/** Merges the tasks' alignments into the job's alignments file (atomically): the frames in the input's order. */
/**
 * A worker killed while it wrote a crop leaves the write's hidden temporary file (io/atomic.ts names them
 * `.NAME.PID.HEX.tmp`). Once every task is done no worker writes into the faces folder (the job holds its lock), so
 * any such file left there is an orphan.
 */
function removeOrphanWrites(folder: string): void {
  for (const name of readdirSync(folder))
    if (/^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)) rmSync(join(folder, name), { force: true });
}

function mergeAlignments(job: ExtractJob): Omit<ExtractJobSummary, keyof JobRunSummary> {
  const o = job.options;
  const doc = loadOrCreate(o.alignments, o.input, inputKind(o.input), size(o), coverage(o));
  doc.writer = `facegan ${VERSION}`;
  const merged: Omit<ExtractJobSummary, keyof JobRunSummary> = {
    alignments: o.alignments,
    output: o.output,
    faces: 0,
    framesWithoutFaces: 0,
    filtered: 0,
    unreadable: [],
    warnings: [],
  };
  for (const t of job.tasks) {
    for (const [key, frame] of Object.entries(readAlignmentsFile(t.output).frames)) {
      delete doc.frames[key]; // (one of an earlier extract: this job's takes its place, in order)
      doc.frames[key] = frame;
      merged.faces += frame.faces.length;
      if (!frame.faces.length) merged.framesWithoutFaces++;
    }
    if (!existsSync(notesFile(t))) continue;
    const notes = JSON.parse(readFileSync(notesFile(t), 'utf8')) as TaskNotes;
    merged.unreadable.push(...notes.unreadable);
    merged.filtered += notes.filtered;
    merged.warnings.push(...notes.warnings);
  }
  writeFileAtomic(o.alignments, [JSON.stringify(doc)]);
  return merged;
}

export interface ExtractJobOptions extends ExtractJobInput, JobRunOptions {
  /** Video parts are about this long (seconds, cut at keyframes). */
  partSeconds?: number;
  /** A folder's photos per task (photos with one stem stay together). */
  photosPerTask?: number;
}

/**
 * Extracts the faces of an image, a folder of images or a video, shared over the queue's workers when `queue` is
 * given (else in this process, task after task).
 * @example
 * await extractJob({ input: 'film.mp4', output: 'faces/', queue: 'redis://localhost:6379' });
 */
export async function extractJob(options: ExtractJobOptions): Promise<ExtractJobSummary> {
  const { queue, partSeconds, photosPerTask, signal, onProgress, onWarning, ...extractOptions } = options;
  const job = planExtract(extractOptions, partSeconds ?? DEFAULT_PART_SECONDS, photosPerTask ?? PHOTOS_PER_TASK);
  let merged: Omit<ExtractJobSummary, keyof JobRunSummary> | undefined;
  const run = await runJob(
    job,
    { queue, signal, onProgress, onWarning },
    {
      // one writer per faces folder and alignments file, as for extract without a queue
      lock: () => {
        mkdirSync(job.options.output, { recursive: true });
        const folder = lockFolder(job.options.output, 'The faces folder');
        try {
          const file = lockAt(`${job.options.alignments}.lock`, `The alignments file ${job.options.alignments}`);
          return () => {
            file();
            folder();
          };
        } catch (e) {
          folder();
          throw e;
        }
      },
      finish: () => {
        removeOrphanWrites(job.options.output);
        merged = mergeAlignments(job);
        return [job.options.alignments];
      },
    },
  );
  return {
    ...run,
    ...(merged ?? {
      alignments: job.options.alignments,
      output: job.options.output,
      faces: 0,
      framesWithoutFaces: 0,
      filtered: 0,
      unreadable: [],
      warnings: [],
    }),
  };
}
