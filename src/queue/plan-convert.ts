/** convert as a job: its options checked as convert checks them, its input cut into tasks (see job.ts). */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { checkGiven } from '../core/options.js';
import { CONVERT_SCHEMA } from '../convert/options.js';
import type { ConvertOptions } from '../convert/convert.js';
import { imageOutputName, resolveOutput } from '../convert/output.js';
import { inputKind } from '../media/frames.js';
import { IMAGE_EXTENSIONS } from '../media/image.js';
import { isVideoFile, probeVideo } from '../media/video.js';
import { VERSION } from '../version.js';
import {
  addVideoParts,
  checkPartSeconds,
  jobId,
  partFile,
  workFolder,
  DEFAULT_PART_SECONDS,
  type ConvertJob,
  type JobOptions,
} from './job.js';

/** A video's output name in a batch: the input's, in a container that holds H.264 (MP4 unless it is MKV or MOV). */
export function videoOutputName(name: string): string {
  const ext = extname(name).toLowerCase();
  return ['.mp4', '.mkv', '.mov'].includes(ext) ? name : `${basename(name, extname(name))}.mp4`;
}

/**
 * Plans a convert as a job: checks the options as convert does, resolves the paths, and cuts the input into tasks.
 * An image or a video in, or a folder of photos and videos (a batch: every image and video in it).
 */
export function planConvert(given: JobOptions, partSeconds = DEFAULT_PART_SECONDS): ConvertJob {
  checkGiven(CONVERT_SCHEMA, given as unknown as Record<string, unknown>);
  checkPartSeconds(partSeconds);
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
  const id = jobId('convert', input, options, { model: statSync(options.modelDir).mtimeMs, partSeconds });
  const work = workFolder(target.path, id, target.kind === 'folder');
  const outputKind = target.kind === 'folder' ? 'folder' : target.kind === 'image' ? 'image' : 'video';
  const job: ConvertJob = {
    id,
    version: VERSION,
    stage: 'convert',
    options,
    outputKind,
    work,
    tasks: [],
    assemblies: [],
  };
  const addVideo = (video: string, output: string) => {
    const info = probeVideo(video);
    const tasks = addVideoParts(job, video, partSeconds, (i) => join(work, partFile(output, i, extname(output))));
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

/** A task's own convert options: the job's, for its input, output and frames. */
export function convertTaskOptions(job: ConvertJob, task: ConvertJob['tasks'][number]): ConvertOptions {
  return {
    ...job.options,
    input: task.input,
    output: task.output,
    // a part may be left by a worker that died after renaming it (it is whole: parts are renamed when complete)
    overwrite: true,
    ...(task.frames ? { frames: task.frames } : {}),
  };
}
