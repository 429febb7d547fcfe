/**
 * The job model that the command line, the dashboard and the workers share. A job is a stage with its checked
 * options, cut into tasks that any machine can run: a long video becomes parts cut at keyframes (joined again at the
 * end, with the audio copied once), a batch becomes one task per photo and per video part. Tasks carry paths and
 * options (JSON), never code. The job's id comes from what it does, so the same command run again finds the same
 * job and the parts already done.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { checkGiven } from '../core/options.js';
import { CONVERT_SCHEMA } from '../convert/options.js';
import type { ConvertOptions } from '../convert/convert.js';
import { imageOutputName, resolveOutput } from '../convert/output.js';
import { inputKind } from '../media/frames.js';
import { IMAGE_EXTENSIONS } from '../media/image.js';
import { isVideoFile, probeVideo } from '../media/video.js';
import { cutAtKeyframes, probeFrameIndex } from '../media/video-index.js';
import { VERSION } from '../version.js';

/** convert's options as a job carries them: plain data, no callbacks. */
export type JobOptions = Omit<ConvertOptions, 'signal' | 'onProgress' | 'onWarning' | 'times' | 'frames'>;

/** One piece of work for one machine: a photo, or frames [from, to) of a video written to a part file. */
export interface Task {
  index: number;
  input: string;
  output: string;
  frames?: { from: number; to: number };
  /** Frames (1 for a photo), for progress over the whole job. */
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

export interface Job {
  id: string;
  /** The facegan version that made the job: workers of another version leave it alone. */
  version: string;
  stage: 'convert';
  options: JobOptions;
  /** What options.output is: one video, one image, or a folder (a batch). */
  outputKind: 'video' | 'image' | 'folder';
  /** Where the parts are written (on storage every worker shares), removed when the job is done. */
  work: string;
  tasks: Task[];
  assemblies: Assembly[];
}

/** Video parts are cut at the first keyframe after every this many seconds by default. */
export const DEFAULT_PART_SECONDS = 20;

/** A video's output name in a batch: the input's, in a container that holds H.264 (MP4 unless it is MKV or MOV). */
export function videoOutputName(name: string): string {
  const ext = extname(name).toLowerCase();
  return ['.mp4', '.mkv', '.mov'].includes(ext) ? name : `${basename(name, extname(name))}.mp4`;
}

/** The id of a job: what it reads (the input's path, size and time), what it writes, the model and the options. */
function jobId(input: string, options: JobOptions, partSeconds: number): string {
  const st = statSync(input);
  const sorted = Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1)));
  // a folder's own time does not change when a file in it is edited: its files' sizes and times are hashed too
  const files = st.isDirectory()
    ? readdirSync(input)
        .sort()
        .map((f) => {
          const s = statSync(join(input, f));
          return [f, s.size, s.mtimeMs];
        })
    : [];
  const model = statSync(options.modelDir).mtimeMs;
  const what = JSON.stringify({ input, size: st.size, mtime: st.mtimeMs, files, model, partSeconds, VERSION, sorted });
  return createHash('sha256').update(what).digest('hex').slice(0, 16);
}

/**
 * Plans a convert as a job: checks the options as convert does, resolves the paths, and cuts the input into tasks.
 * An image or a video in, or a folder of photos and videos (a batch: every image and video in it).
 */
export function planConvert(given: JobOptions, partSeconds = DEFAULT_PART_SECONDS): Job {
  checkGiven(CONVERT_SCHEMA, given as unknown as Record<string, unknown>);
  if (!(partSeconds > 0))
    throw new FaceganError(ErrorCodes.USAGE, `Expected a part length in seconds above 0, but received ${partSeconds}.`);
  const input = resolve(given.input);
  const options: JobOptions = {
    ...given,
    input,
    output: resolve(given.output),
    modelDir: resolve(given.modelDir),
    ...(given.alignments ? { alignments: resolve(given.alignments) } : {}),
    ...(given.filter ? { filter: given.filter.map((f) => resolve(f)) } : {}),
  };
  const kind = inputKind(input);
  const target = resolveOutput(input, kind, options.output, !!options.overwrite);
  if (target.kind === 'frames' || extname(target.path).toLowerCase() === '.gif')
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Work shared over machines writes videos, images and folders of them; ${given.output} is ` +
        `${target.kind === 'frames' ? 'a folder of frames' : 'a GIF'}. Convert it without --queue.`,
    );
  const id = jobId(input, options, partSeconds);
  const work =
    target.kind === 'folder'
      ? join(target.path, `.facegan-job-${id}`)
      : join(dirname(target.path), `.${basename(target.path)}.facegan-job-${id}`);
  const outputKind = target.kind === 'folder' ? 'folder' : target.kind === 'image' ? 'image' : 'video';
  const job: Job = { id, version: VERSION, stage: 'convert', options, outputKind, work, tasks: [], assemblies: [] };
  const addVideo = (video: string, output: string) => {
    const info = probeVideo(video);
    const index = probeFrameIndex(video);
    const first = job.tasks.length;
    for (const [i, p] of cutAtKeyframes(index, partSeconds).entries()) {
      const part = join(
        work,
        `${basename(output, extname(output))}.part${String(i).padStart(5, '0')}${extname(output)}`,
      );
      job.tasks.push({ index: job.tasks.length, input: video, output: part, frames: p, size: p.to - p.from });
    }
    const tasks = job.tasks.slice(first).map((t) => t.index);
    job.assemblies.push({
      output,
      tasks,
      audioFrom: video,
      ...(info.audioCodec ? { audioCodec: info.audioCodec } : {}),
    });
  };
  const addImage = (image: string, output: string) =>
    job.tasks.push({ index: job.tasks.length, input: image, output, size: 1 });
  if (kind === 'video') addVideo(input, target.path);
  else if (kind === 'image') addImage(input, target.path);
  else {
    for (const name of readdirSync(input).sort()) {
      const path = join(input, name);
      if (name.startsWith('.') || !statSync(path).isFile()) continue;
      if (isVideoFile(name)) addVideo(path, join(target.path, videoOutputName(name)));
      else if (IMAGE_EXTENSIONS.includes(extname(name).toLowerCase() as never))
        addImage(path, join(target.path, imageOutputName(name)));
    }
    if (!job.tasks.length)
      throw new FaceganError(ErrorCodes.BAD_FILE, `${input} holds no images or videos to convert.`);
  }
  return job;
}

/** A task's own options: the job's, for its input, output and frames. */
export function taskOptions(job: Job, task: Task): ConvertOptions {
  return {
    ...job.options,
    input: task.input,
    output: task.output,
    // a part may be left by a worker that died after renaming it (it is whole: parts are renamed when complete)
    overwrite: true,
    ...(task.frames ? { frames: task.frames } : {}),
  };
}
