/**
 * The models `facegan train --model NAME` knows, each with the family that trains it. Adding a pair model is one
 * entry in `pairModels`; a new family adds its entry to `models` and its training family in train/families.ts.
 * The name is the same in the registry, the CLI, the model folder's config.json and the saved weights' metadata.
 */
import { PairAutoencoder, type AutoencoderOptions, type AutoencoderSpec } from './autoencoder.js';
import { ORIGINAL_SPEC } from './original.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

/** The model families (train/families.ts maps each to its training family). */
export const FAMILY_IDS = ['pair', 'cyclegan', 'stylegan'] as const;
export type FamilyId = (typeof FAMILY_IDS)[number];

export interface ModelEntry {
  family: FamilyId;
  description: string;
}

/** A pair model: its architecture, and training defaults of its own where it has them (over the family's). */
export type PairModelEntry = ModelEntry & { spec: AutoencoderSpec; defaults?: Record<string, unknown> };

const LIGHTWEIGHT_SPEC = {
  size: 64,
  encoder: [64, 128, 256, 512],
  dense: 256,
  seed: 4,
  seedFilters: 256,
  encoderUp: 256,
  decoder: [128, 64, 32],
} as const satisfies AutoencoderSpec;
// measured: lr 2e-4 at batch 8 reaches the figures of 1e-4 at 16 in half the time; at 64 px, lr 3e-4 with the squared
// error weighted 3 passes the four swap measures in 2,500 iterations (two seeds), where weight 10 took 3,000 and lr
// 2e-4 at 1:1 took 4,000 (docs/convergence.md)
const LIGHTWEIGHT_DEFAULTS = { lr: 3e-4, batchSize: 8, loss: ['ssim', 'mse:3'] } as const;
// the 128 px model keeps the settings it was measured with (all four on GRID s1 -> s2 in 36 minutes)
const LIGHTWEIGHT128_DEFAULTS = { lr: 2e-4, batchSize: 8 } as const;

export const pairModels = {
  original: {
    family: 'pair',
    description: "faceswap's original: 64 px, 82M parameters (the reference model)",
    spec: ORIGINAL_SPEC,
  },
  lightweight: {
    family: 'pair',
    description: 'small and fast: 64 px, learns a pair on a CPU in minutes to hours',
    defaults: LIGHTWEIGHT_DEFAULTS,
    spec: LIGHTWEIGHT_SPEC,
  },
  lightweight128: {
    family: 'pair',
    description: "lightweight's widths at 128 px (an 8 x 8 seed): a 128 px swap a CPU learns in hours",
    defaults: LIGHTWEIGHT128_DEFAULTS,
    spec: { ...LIGHTWEIGHT_SPEC, size: 128, seed: 8 },
  },
  h128: {
    family: 'pair',
    description: "in the spirit of faceswap's dfl-h128: 128 px, for a GPU",
    spec: {
      size: 128,
      encoder: [128, 256, 512, 1024],
      dense: 512,
      seed: 8,
      seedFilters: 512,
      encoderUp: 512,
      decoder: [256, 128, 64],
    },
  },
} as const satisfies Record<string, PairModelEntry>;

export const models = {
  ...pairModels,
  cyclegan: {
    family: 'cyclegan',
    description:
      'CycleGAN: unpaired translation A <-> B (faces or whole images); 64-256 px, ResNet generators, PatchGAN judges',
  },
  stylegan: {
    family: 'stylegan',
    description: 'StyleGAN2: new faces (or images) from one folder (-i); 32-256 px, mapping network, modulated convs',
  },
} as const satisfies Record<string, ModelEntry>;

export type ModelName = keyof typeof models;
export type PairModelName = keyof typeof pairModels;
export const MODEL_NAMES = Object.keys(models) as ModelName[];

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(models, name);
}

export function isPairModel(name: string): name is PairModelName {
  return Object.hasOwn(pairModels, name);
}

/** Builds a registered pair model, or says which names exist. */
export function createModel(name: string, options: AutoencoderOptions = {}): PairAutoencoder {
  if (!isPairModel(name)) {
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      `Unknown pair model "${name}": expected one of ${Object.keys(pairModels).join(', ')}.`,
    );
  }
  return new PairAutoencoder(pairModels[name].spec, options);
}
