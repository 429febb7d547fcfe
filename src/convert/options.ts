/**
 * convert's settings, declared once: the command line's flags and help are made from them, and convert() checks
 * what code gives it against them, with the same messages.
 */
import type { OptionSchema } from '../core/options.js';
import { PASTE_DEFAULTS, PASTE_OPTIONS } from '../swap/paste-options.js';
import { VIDEO_CODECS } from '../media/video-writer.js';
import type { ConvertOptions } from './convert.js';
import { FILTER_THRESHOLD_SPEC } from '../faces/identity-filter.js';

/** convert's defaults (the schema below shows them). */
export const CONVERT_DEFAULTS = {
  ...PASTE_DEFAULTS,
  smooth: 2,
  batch: 8,
  crf: 18,
  preset: 'veryfast',
  codec: 'h264',
} as const satisfies Partial<ConvertOptions>;

/** Flags convert and translate share: output, masks, colour, video, labels. */
export const FRAME_OPTIONS = {
  input: { path: true, type: 'string', short: 'i', help: 'an image, a folder of images, or a video', required: true },
  output: {
    path: true,
    type: 'string',
    short: 'o',
    help: 'output: image file, folder, or video file (.mp4, .mkv, .gif, ...)',
    required: true,
  },
  modelDir: { path: true, type: 'string', short: 'm', help: 'model folder written by facegan train', required: true },
  alignments: {
    path: true,
    type: 'string',
    short: 'a',
    help: "alignments file (default: the input's, when it exists)",
  },
  ...PASTE_OPTIONS,
  smooth: {
    type: 'int',
    help: 'video: average landmarks over this many frames either side (0: off)',
    default: CONVERT_DEFAULTS.smooth,
    min: 0,
    max: 10,
  },
  batch: {
    type: 'int',
    help: 'frames whose faces go through the model together (faster; more memory)',
    default: CONVERT_DEFAULTS.batch,
    min: 1,
    max: 64,
  },
  modelThread: {
    type: 'boolean',
    help:
      'run the model in a thread of its own while the faces of the batch before are pasted ' +
      '(default: for video outputs of face swaps; --no-model-thread: in turn)',
  },
  precision: {
    type: 'string',
    help:
      'model precision: auto is bf16 where it runs natively ' +
      '(GPUs, CPUs with AMX/AVX512-BF16; 3-6x faster), else fp32',
    default: 'auto',
    choices: ['auto', 'fp32', 'bf16'] as const,
  },
  device: {
    type: 'string',
    help: 'auto (cuda when there is one), cpu or cuda',
    default: 'auto',
    choices: ['auto', 'cpu', 'cuda'] as const,
  },
  codec: {
    type: 'string',
    help: 'video codec',
    default: CONVERT_DEFAULTS.codec,
    choices: Object.keys(VIDEO_CODECS) as (keyof typeof VIDEO_CODECS)[],
  },
  crf: {
    type: 'int',
    help: "video quality: lower is better and bigger (H.264: 18 looks lossless, 23 is ffmpeg's default)",
    default: CONVERT_DEFAULTS.crf,
    min: 0,
    max: 51,
  },
  preset: { type: 'string', help: 'x264/x265 speed preset (ultrafast ... veryslow)', default: CONVERT_DEFAULTS.preset },
  label: { type: 'string', help: 'visible text drawn on every output, e.g. "AI-generated"' },
  provenance: {
    type: 'boolean',
    help: 'write the synthetic-media label into the metadata (--no-provenance drops it)',
    default: true,
  },
  overwrite: {
    type: 'boolean',
    help: 'replace an existing output (a folder otherwise resumes, keeping images already written)',
  },
  threads: {
    type: 'int',
    help:
      'CPU threads for the model ' +
      '(default: every core; writing a video with a small model, one fewer leaves a core to the encoder)',
    min: 1,
    max: 256,
  },
} as const;

/** Every setting of convert: FRAME_OPTIONS and the face swap's own. */
export const CONVERT_SCHEMA = {
  ...FRAME_OPTIONS,
  swap: { type: 'boolean', help: 'swap B->A instead of A->B' },
  filter: { path: true, type: 'list', help: 'only swap faces of the person in these photos' },
  filterThreshold: FILTER_THRESHOLD_SPEC,
} as const satisfies OptionSchema;

/** Every setting of translate (CycleGAN): FRAME_OPTIONS, the direction, and the side whole frames are run at. */
export const TRANSLATE_SCHEMA = {
  ...FRAME_OPTIONS,
  direction: {
    type: 'string',
    help: "a2b: A's look to B's; b2a: the other way",
    default: 'a2b',
    choices: ['a2b', 'b2a'] as const,
  },
  resolution: {
    type: 'int',
    help: "whole-image models: the side frames are translated at (default: the training's)",
    min: 16,
    max: 4096,
  },
} as const satisfies OptionSchema;
