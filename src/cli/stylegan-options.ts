/** The options every StyleGAN command shares (generate, interpolate, project, eval-gen), declared once. */
import type { OptionSchema } from '../core/options.js';

export const STYLEGAN_OPTIONS = {
  modelDir: {
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
  threads: { type: 'int', help: 'CPU threads for libtorch (default: all cores)', min: 1, max: 1024 },
} as const satisfies OptionSchema;

/** The label of wholly generated outputs (generate, interpolate). */
export const GENERATED_LABEL_OPTION = {
  provenance: {
    type: 'boolean',
    help: 'label the output as generated in its metadata (--no-provenance drops it)',
    default: true,
  },
} as const satisfies OptionSchema;
