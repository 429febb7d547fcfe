/**
 * facegan train: a model of any family on two folders (faces of two people for the pair models; any two folders
 * of images, faces included, for CycleGAN). The model folder picks the family (from its config, else --model);
 * the family reads the data and builds its modules; the core runs the loop. A folder that holds a model resumes
 * where it stopped.
 */
import { resolve } from 'node:path';
import { manualSeed, resolveDevice, hasFastBf16 } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { Given } from '../core/options.js';
import { isModelName, models } from '../models/registry.js';
import { CORE_SCHEMA } from './core/settings.js';
import { checkApplicable, resolveSettings } from './core/resolve.js';
import { placeModules, runLoop, type Evaluator, type TrainProgress } from './core/loop.js';
import { ModelFolder, type TrainState } from './core/model-folder.js';
import type { CoreConfig, Family } from './core/family.js';
import { families, TRAIN_SCHEMA } from './families.js';

export type { TrainProgress, Evaluator };

export interface TrainOptions extends Given<typeof TRAIN_SCHEMA> {
  /** Folder of A: extracted faces (the face to replace), or images of one style. */
  a: string;
  /** Folder of B: extracted faces (the face to put in), or images of the other style. */
  b: string;
  /** Model folder: made if new, resumed if it holds a model. */
  modelDir: string;
  /** Called after every iteration. */
  onProgress?: (p: TrainProgress) => void;
  /** Stops after the current iteration; a checkpoint is written first. */
  signal?: AbortSignal;
  /**
   * Measures the model every `every` iterations (train --eval-every: the CLI passes eval's figures in; train knows
   * nothing of how). The figures are appended to log.jsonl with that iteration's losses.
   */
  evaluator?: Evaluator;
}

export interface TrainSummary {
  modelDir: string;
  config: CoreConfig & Record<string, unknown>;
  /** The iteration it started from (0 for a new model). */
  startIteration: number;
  iteration: number;
  /** The family's named losses at the last iteration. */
  losses: Record<string, number>;
  seconds: number;
  stopped: boolean;
}

/** The family of a model name, or which names exist. */
export function familyOf(model: string): Family {
  if (!isModelName(model)) {
    throw new FaceganError(ErrorCodes.BAD_MODEL, `Unknown model "${model}": expected one of ${Object.keys(models).join(', ')}.`);
  }
  return families[models[model].family] as unknown as Family;
}

/** Resolves precision `auto`: bf16 where the device runs it natively, else fp32. */
function precisionFor(precision: string, device: 'cpu' | 'cuda'): CoreConfig['precision'] {
  if (precision !== 'auto') return precision as CoreConfig['precision'];
  return hasFastBf16(device) ? 'bf16' : 'fp32';
}

/** Trains until `iterations`, the signal, or an error; always leaves a complete checkpoint. */
export async function train(options: TrainOptions): Promise<TrainSummary> {
  const { a, b, modelDir, onProgress, signal, evaluator, ...given } = options;
  const folder = new ModelFolder(resolve(modelDir));
  const stored = folder.exists() ? folder.readConfig() : undefined;
  const state: TrainState = stored ? folder.readState() : { iteration: 0, seconds: 0 };
  const model = String(stored?.model ?? given.model ?? CORE_SCHEMA.model.default);
  const family = familyOf(model);
  checkApplicable(given, family, model, TRAIN_SCHEMA);
  const settings = resolveSettings(family, given, stored);
  const { derived, data } = await family.open({ a, b }, settings, stored);
  const config = { ...settings, ...derived } as CoreConfig & Record<string, unknown>;
  const device = resolveDevice(config.device);
  // what the config keeps is what was asked for (auto stays auto); the run uses what it resolves to here
  if (!stored) folder.create(config);
  else folder.writeConfig(config);
  folder.trimLog(state.iteration);

  manualSeed(config.seed);
  const runConfig = { ...config, precision: precisionFor(String(config.precision), device === 'cpu' ? 'cpu' : 'cuda') };
  const run = family.start(runConfig, data, device);
  const ctx = placeModules(run, folder, !!stored, device, runConfig);
  const r = await runLoop(run, ctx, folder, state, { signal, onProgress, evaluator });
  return { modelDir: folder.dir, config, ...r };
}
