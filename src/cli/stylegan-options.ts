/** The command line's own option of every StyleGAN command (generate, interpolate, project, eval-gen). */
import type { OptionSchema } from '../core/options.js';
import { STYLEGAN_MODEL_SCHEMA } from '../generate/options.js';

export const STYLEGAN_OPTIONS = {
  ...STYLEGAN_MODEL_SCHEMA,
  threads: { type: 'int', help: 'CPU threads for libtorch (default: all cores)', min: 1, max: 1024 },
} as const satisfies OptionSchema;
