/**
 * The settings of the StyleGAN stages (generate, interpolate, project), declared once: the command line parses and
 * documents them, the dashboard makes its forms from them, and the stages check what code gives them against them,
 * with the same messages. Seeds are written as ranges (0-15, 1,4,9) on the command line and in forms; code passes
 * numbers.
 */
import type { OptionSchema } from '../core/options.js';

export const STYLEGAN_MODEL_SCHEMA = {
  modelDir: {
    path: true,
    type: 'string',
    short: 'm',
    help: 'a StyleGAN model folder (facegan train --model stylegan)',
    required: true,
  },
  device: {
    type: 'string',
    help: 'auto (cuda when there is one), cpu or cuda',
    default: 'auto',
    choices: ['auto', 'cpu', 'cuda'] as const,
  },
} as const satisfies OptionSchema;

/** The label of wholly generated outputs (generate, interpolate). */
export const GENERATED_LABEL_SCHEMA = {
  provenance: {
    type: 'boolean',
    help: 'label the output as generated in its metadata (--no-provenance drops it)',
    default: true,
  },
} as const satisfies OptionSchema;

const truncation = {
  type: 'number',
  help: "truncation psi: 1 as sampled, 0.7 the paper's, 0 the average face",
  default: 1,
  min: 0,
  max: 2,
} as const;

export const GENERATE_SCHEMA = {
  ...STYLEGAN_MODEL_SCHEMA,
  ...GENERATED_LABEL_SCHEMA,
  output: {
    path: true,
    type: 'string',
    short: 'o',
    help: 'a folder (one PNG per seed), or an image file with --grid or mixing',
    required: true,
  },
  truncation,
  grid: { type: 'boolean', help: 'write the seeds as one grid image (-o grid.png)' },
} as const satisfies OptionSchema;

export const INTERPOLATE_SCHEMA = {
  ...STYLEGAN_MODEL_SCHEMA,
  ...GENERATED_LABEL_SCHEMA,
  output: { path: true, type: 'string', short: 'o', help: 'the video (.mp4, .mkv, .mov, .webm)', required: true },
  secondsPerSeed: { type: 'number', help: 'seconds from one seed to the next', default: 2, min: 0.05, max: 600 },
  fps: { type: 'int', help: 'frames per second', default: 30, min: 1, max: 240 },
  truncation,
  resolution: {
    type: 'int',
    help: "side of the video's frames (default: 4x the model's, at most 1024)",
    min: 16,
    max: 4096,
  },
} as const satisfies OptionSchema;

export const PROJECT_SCHEMA = {
  ...STYLEGAN_MODEL_SCHEMA,
  input: {
    path: true,
    type: 'string',
    short: 'i',
    help: 'an aligned face (facegan extract) or an image framed like the training images',
    required: true,
  },
  output: { path: true, type: 'string', short: 'o', help: 'a folder for the results', required: true },
  steps: { type: 'int', help: 'optimisation steps', default: 300, min: 1, max: 100000 },
  featureWeight: { type: 'number', help: 'weight of the discriminator-feature loss', default: 0.1, min: 0, max: 100 },
  video: { type: 'boolean', help: 'write optimisation.mp4 (--no-video skips it)', default: true },
} as const satisfies OptionSchema;

/** Seeds as ranges, for the command line and the forms (code passes an array of numbers). */
export const SEEDS_OPTION = {
  seeds: { type: 'string', help: 'seeds: numbers and ranges (0-15, 1,4,9)' },
} as const satisfies OptionSchema;
