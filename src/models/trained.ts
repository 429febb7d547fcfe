/**
 * The read side of a model folder, the contract between train and convert/eval: its file names, its config's
 * version, and loading a trained pair model for inference. The train stage writes these files (train/model-folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { checked, count, finite } from '../core/validate.js';
import { loadSafetensors, dispose, isFloating, tidy, type Device, type Module, type Tensor } from '../engine/index.js';
import { createModel, isModelName, models, pairModels, type FamilyId, type ModelName } from './registry.js';
import { CycleGenerators, type CycleGanSpec } from './cyclegan.js';

export const MODEL_FOLDER_VERSION = 1;

export const modelFiles = (dir: string) => ({
  config: join(dir, 'config.json'),
  state: join(dir, 'state.json'),
  weights: join(dir, 'model.safetensors'),
  /** The averaged weights outputs are made with, where a family keeps them (StyleGAN; pair models with --ema). */
  ema: join(dir, 'ema.safetensors'),
  optimizer: join(dir, 'optimizer.safetensors'),
  log: join(dir, 'log.jsonl'),
  previews: join(dir, 'previews'),
  backup: join(dir, 'backup'),
});

/** What inference needs from a model folder's config. */
export interface ModelGeometry {
  model: ModelName;
  /** Whether the model has a 4th (mask) output channel. */
  mask: boolean;
  /** Side of the model's input and output, pixels. */
  size: number;
  /** Share of the model's input side that the mean face spans. */
  modelCoverage: number;
  /** Coverage of the faces it was trained on (their extract --coverage). */
  extractCoverage: number;
}

export function readModelJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${path} cannot be read (${(e as Error).message}); ` +
        'the model folder is damaged: restore it from its backup/ folder or start a new one.',
      { cause: e },
    );
  }
}

/** What to do about a damaged file of a model folder. */
export const DAMAGED_ADVICE = 'the model folder is damaged: restore it from its backup/ folder or start a new one.';

/** config.json: the resolved settings, with what inference reads from them checked. */
const CONFIG_DOC_SCHEMA = z.looseObject({
  schemaVersion: z.literal(MODEL_FOLDER_VERSION),
  config: z.looseObject({
    model: z.string().min(1),
    size: z.number().int().positive().max(4096).optional(),
    mask: z.boolean().optional(),
    modelCoverage: finite.gt(0).max(4).optional(),
    extractCoverage: finite.gt(0).max(1).optional(),
    trainedOn: z.enum(['faces', 'images']).optional(),
  }),
});

/**
 * state.json: the iteration, the training time and the checkpoint's files (plain names in the folder, never paths)
 * with their checksums.
 */
export const TRAIN_STATE_SCHEMA = z.looseObject({
  iteration: count,
  seconds: finite.min(0),
  best: z.looseObject({ loss: finite, iteration: count }).optional(),
  bestEval: z.looseObject({ score: finite, iteration: count }).optional(),
  files: z
    .array(z.string().regex(/^[\w.-]+\.safetensors$/, 'expected file names ending .safetensors'))
    .max(64)
    .optional(),
  checksums: z
    .record(
      z.string().regex(/^[\w.-]+\.safetensors$/, 'expected file names ending .safetensors'),
      z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in hex'),
    )
    .optional(),
});

/** Reads and checks a state.json (the folder's, or a checkpoint's being written). */
export function readTrainState(path: string): z.infer<typeof TRAIN_STATE_SCHEMA> {
  return checked(TRAIN_STATE_SCHEMA, readModelJson(path), path, DAMAGED_ADVICE, ErrorCodes.BAD_MODEL);
}

/** config.json's settings, checked for version and for the keys given. */
export function readModelConfig<T extends object>(dir: string, required: readonly string[]): T {
  const path = modelFiles(dir).config;
  if (!existsSync(path))
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `No model in ${dir} (no config.json): point -m at a folder that facegan train wrote.`,
    );
  const raw = readModelJson<{ schemaVersion?: number; config?: Record<string, unknown> }>(path);
  if (raw?.schemaVersion !== MODEL_FOLDER_VERSION) {
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${path} is not a facegan model config (schemaVersion ${raw?.schemaVersion}); ` +
        'point -m at a facegan model folder.',
    );
  }
  const doc = checked(CONFIG_DOC_SCHEMA, raw, path, DAMAGED_ADVICE, ErrorCodes.BAD_MODEL);
  requireConfigKeys(path, doc.config, required);
  return doc.config as T;
}

/** Refuses a config that lacks settings it must hold: the folder is damaged, and defaults would lie. */
export function requireConfigKeys(path: string, config: Record<string, unknown>, required: readonly string[]): void {
  const missing = required.filter((k) => config[k] === undefined);
  if (missing.length) {
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${path} lacks ${missing.join(', ')}: ` +
        'the model folder is damaged; restore it from its backup/ folder or start a new one.',
    );
  }
}

/** Loads weights into a module (strict: same names and shapes). */
export function loadWeights(module: Module, file: string, device?: Device): void {
  if (!existsSync(file))
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${file} is missing: the model has not saved a checkpoint yet; train it first.`,
    );
  const { tensors } = loadSafetensors(file, device ? { device } : {});
  try {
    // NaN or infinite weights (a diverged run) would draw black squares over every face with exit code 0
    const finite = (t: Tensor) =>
      !isFloating(t.dtype) || t.numel === 0 || Number.isFinite(tidy(() => t.abs().amax().item()));
    const bad = [...tensors].find(([, t]) => !finite(t));
    if (bad) {
      throw new FaceganError(
        ErrorCodes.BAD_MODEL,
        `${file} holds non-finite weights (${bad[0]}): the training diverged ` +
          'before it was saved. Use the backup/ or a snapshots/ copy, or train again with a lower --lr.',
      );
    }
    try {
      module.loadStateDict(tensors);
    } catch (e) {
      throw new FaceganError(
        ErrorCodes.BAD_MODEL,
        `${file} does not fit this model (${(e as Error).message}); was the folder made by another model type?`,
        { cause: e },
      );
    }
  } finally {
    dispose(tensors);
  }
}

/** What swapping needs of a model: its geometry and a pass through one side's decoder ([N, 3, S, S] in 0-1). */
export interface SwapModel {
  model: { forward(x: Tensor, side: 'a' | 'b'): Tensor };
  geometry: ModelGeometry;
  /** Iterations it was trained for. */
  iteration: number;
}

/** What a model was trained on: aligned face crops (swapped into frames face by face), or whole images. */
export type TrainedOn = 'faces' | 'images';

export interface TrainedModel extends SwapModel {
  model: Module & SwapModel['model'];
  family: FamilyId;
  trainedOn: TrainedOn;
}

/** The config keys inference needs, per family (a folder without them is damaged). */
const INFERENCE_KEYS: Record<FamilyId, (config: Record<string, unknown>) => string[]> = {
  pair: () => ['model', 'size', 'modelCoverage', 'extractCoverage'],
  cyclegan: (c) => [
    'model',
    'size',
    'ngf',
    'ndf',
    'blocks',
    'upsample',
    'trainedOn',
    ...(c.trainedOn === 'faces' ? ['modelCoverage', 'extractCoverage'] : []),
  ],
  stylegan: () => ['model', 'size', 'zDim', 'mappingLayers', 'channelBase', 'channelMax'],
};

/** Builds the inference module of a model folder's config (the weights are loaded by the caller). */
function inferenceModule(family: FamilyId, config: Record<string, unknown>): Module & SwapModel['model'] {
  if (family === 'cyclegan') return new CycleGenerators(config as unknown as CycleGanSpec);
  return createModel(String(config.model), { mask: !!config.mask });
}

/** A model folder's description: what it is and was trained on, and its geometry, without its weights. */
export interface TrainedModelInfo extends Omit<TrainedModel, 'model'> {
  /** The weights inference loads: the averaged ones where a pair model keeps them (train --ema). */
  weightsFile: string;
  config: Record<string, unknown>;
}

/**
 * Reads what a model folder holds without loading its weights (refusing a folder that inference cannot use): all a
 * caller needs whose model runs elsewhere, e.g. in convert's model thread.
 */
export function describeTrainedModel(dir: string): TrainedModelInfo {
  const files = modelFiles(dir);
  const config = readModelConfig<Record<string, unknown>>(dir, ['model', 'size']);
  const name = String(config.model);
  if (!isModelName(name))
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${dir} holds a "${name}" model, which this facegan does not know; update facegan.`,
    );
  const family = models[name].family;
  if (family === 'stylegan') {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${dir} holds a StyleGAN model, which makes new faces rather than swapping or translating them: ` +
        `use facegan generate -m ${dir}.`,
    );
  }
  requireConfigKeys(files.config, config, INFERENCE_KEYS[family](config));
  const averaged = family === 'pair' && Number(config.ema) > 0 && existsSync(files.ema);
  const state = existsSync(files.state) ? readTrainState(files.state) : { iteration: 0 };
  const geometry: ModelGeometry = {
    model: name,
    mask: !!config.mask,
    size: Number(config.size),
    modelCoverage: Number(config.modelCoverage ?? 1),
    extractCoverage: Number(config.extractCoverage ?? 1),
  };
  return {
    geometry,
    iteration: state.iteration ?? 0,
    family,
    trainedOn: config.trainedOn === 'images' ? 'images' : 'faces',
    weightsFile: averaged ? files.ema : files.weights,
    config,
  };
}

/**
 * A trained model of any family, ready for inference (eval mode): a pair model's decoders, or a CycleGAN's two
 * generators, each as `forward(x, side)` on images in 0-1 ('b': A->B, 'a': B->A).
 * @example
 * const { model, geometry } = loadTrainedModel('model/'); // or loadTrainedModel(describeTrainedModel('model/'))
 * const swapped = model.forward(faceA, 'b'); // A's face rebuilt by B's decoder
 */
export function loadTrainedModel(source: string | TrainedModelInfo, device: Device = 'cpu'): TrainedModel {
  // a description already read (describeTrainedModel) saves reading the folder again
  const info = typeof source === 'string' ? describeTrainedModel(source) : source;
  const model = inferenceModule(info.family, info.config);
  loadWeights(model, info.weightsFile);
  model.to(device);
  model.eval();
  const { geometry, iteration, family, trainedOn } = info;
  return { model, geometry, iteration, family, trainedOn };
}

const PAIR_NAMES = Object.keys(pairModels).join(', ');

/** Refuses a model of another family than a command takes, saying which command takes it. */
export function requireFamily(
  trained: Pick<TrainedModel, 'family' | 'geometry'>,
  family: FamilyId,
  dir: string,
  command: string,
): void {
  if (trained.family === family) return;
  const other = trained.family === 'cyclegan' ? 'facegan translate' : 'facegan convert';
  throw new FaceganError(
    ErrorCodes.BAD_MODEL,
    `${dir} holds a ${trained.geometry.model} model ` +
      `(${trained.family === 'cyclegan' ? 'CycleGAN translation' : 'a pair face swap'}); ` +
      `${command} takes ${family === 'pair' ? `pair models (${PAIR_NAMES})` : 'CycleGAN models'}. ` +
      `Use ${other} with it.`,
  );
}
