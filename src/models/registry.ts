/**
 * The pair models `facegan train --model NAME` knows. Adding one is one entry here (or one file with its spec).
 * The name is the same in the registry, the CLI, the model folder's config.json and the saved weights' metadata.
 */
import { PairAutoencoder, type AutoencoderOptions, type AutoencoderSpec } from './autoencoder.js';
import { ORIGINAL_SPEC } from './original.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export interface ModelEntry {
  description: string;
  spec: AutoencoderSpec;
}

export const models = {
  original: { description: "faceswap's original: 64 px, 82M parameters (the reference model)", spec: ORIGINAL_SPEC },
  lightweight: {
    description: 'small and fast: 64 px, learns a pair on a CPU in minutes to hours',
    spec: { size: 64, encoder: [64, 128, 256, 512], dense: 256, seed: 4, seedFilters: 256, encoderUp: 256, decoder: [128, 64, 32] },
  },
  h128: {
    description: 'in the spirit of faceswap\'s dfl-h128: 128 px, for a GPU',
    spec: { size: 128, encoder: [128, 256, 512, 1024], dense: 512, seed: 8, seedFilters: 512, encoderUp: 512, decoder: [256, 128, 64] },
  },
} as const satisfies Record<string, ModelEntry>;

export type ModelName = keyof typeof models;
export const MODEL_NAMES = Object.keys(models) as ModelName[];

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(models, name);
}

/** Builds a registered model, or says which names exist. */
export function createModel(name: string, options: AutoencoderOptions = {}): PairAutoencoder {
  if (!isModelName(name)) {
    throw new FaceganError(ErrorCodes.BAD_ARGUMENT, `Unknown model "${name}": expected one of ${MODEL_NAMES.join(', ')}.`);
  }
  return new PairAutoencoder(models[name].spec, options);
}
