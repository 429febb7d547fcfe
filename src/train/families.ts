/**
 * The training families, by the id the model registry names (models/registry.ts): `facegan train --model NAME`
 * trains NAME with its family. TRAIN_SCHEMA is every family's settings beside the core's: the CLI parses and
 * documents it whole, and train() refuses a setting that the chosen model's family does not take.
 */
import { mergeSchemas, type OptionSchema } from '../core/options.js';
import type { FamilyId } from '../models/registry.js';
import type { Family } from './core/family.js';
import { CORE_SCHEMA } from './core/settings.js';
import { pairFamily } from './pair.js';
import { PAIR_SCHEMA } from './config.js';
import { cycleganFamily } from './cyclegan/family.js';
import { CYCLEGAN_SCHEMA } from './cyclegan/settings.js';
import { styleganFamily } from './stylegan/family.js';
import { STYLEGAN_SCHEMA } from './stylegan/settings.js';

export const families = {
  pair: pairFamily,
  cyclegan: cycleganFamily,
  stylegan: styleganFamily,
} as const satisfies Record<FamilyId, Pick<Family, 'id' | 'schema'>>;

/** The folders train reads and writes (the command line also takes StyleGAN's one folder as -i). */
export const TRAIN_FOLDERS_SCHEMA = {
  a: { path: true, type: 'string', short: 'A', help: 'folder of extracted faces of A (the face to replace)' },
  b: { path: true, type: 'string', short: 'B', help: 'folder of extracted faces of B (the face to put in)' },
  modelDir: {
    path: true,
    type: 'string',
    short: 'm',
    help: 'model folder (made if new, resumed if it holds a model)',
    required: true,
  },
} as const satisfies OptionSchema;

const ALL_SETTINGS = {
  ...CORE_SCHEMA,
  ...PAIR_SCHEMA,
  ...CYCLEGAN_SCHEMA,
  ...STYLEGAN_SCHEMA,
} as const satisfies OptionSchema;

/** A flag two families share (--cycle-weight) documents both meanings and both defaults. */
export const TRAIN_SCHEMA = mergeSchemas<typeof ALL_SETTINGS>({
  all: CORE_SCHEMA,
  'pair models': PAIR_SCHEMA,
  CycleGAN: CYCLEGAN_SCHEMA,
  StyleGAN: STYLEGAN_SCHEMA,
});
