/**
 * facegan train: a model of any family on two folders (faces of two people for the pair models; any two folders
 * of images, faces included, for CycleGAN). The model folder picks the family (from its config, else --model);
 * the family reads the data and builds its modules; the core runs the loop. A folder that holds a model resumes
 * where it stopped.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCK_FILE, lockFolder } from '../io/lock.js';
import { manualSeed, resolveDevice, hasFastBf16 } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { schemaDefaults, settingsSchema, type Given } from '../core/options.js';
import { checked } from '../core/validate.js';
import { isModelName, models } from '../models/registry.js';
import { DAMAGED_ADVICE, requireConfigKeys } from '../models/trained.js';
import { CORE_SCHEMA } from './core/settings.js';
import { checkApplicable, familySchema, fixedKeys, resolveSettings } from './core/resolve.js';
import { placeModules, runLoop, type Evaluator, type TrainProgress } from './core/loop.js';
import { ModelFolder, type TrainState } from './core/model-folder.js';
import type { CoreConfig, Family } from './core/family.js';
import { families, TRAIN_SCHEMA } from './families.js';
import { checkLender, loadPretrained, type Pretrained } from './core/pretrained.js';
import { Warnings } from '../core/warnings.js';

export type { TrainProgress, Evaluator };

export interface TrainOptions extends Given<typeof TRAIN_SCHEMA> {
  /** Folder of A: extracted faces (the face to replace), or images of one style; StyleGAN's one folder. */
  a: string;
  /** Folder of B: extracted faces (the face to put in), or images of the other style (not for StyleGAN). */
  b?: string;
  /** Model folder: made if new, resumed if it holds a model. */
  modelDir: string;
  /** Start over in a folder that holds a model (or a damaged one): its files move to replaced-TIMESTAMP/. */
  restart?: boolean;
  /**
   * A new model starts from parts of the trained model in this folder (the same --model): by default the shared
   * encoder of a pair model. Ignored, with a warning, when the model folder already holds a model.
   */
  loadWeights?: string;
  /** Which parts --load-weights lends (the pair models: encoder, decoder-a, decoder-b). */
  loadParts?: string[];
  /** Called after every iteration. */
  /** Iterations done of `iterations`, with the losses and `examplesPerSecond` as figures. */
  onProgress?: (p: TrainProgress) => void;
  /** Called with what the run leaves out (a file it cannot read), as it happens; also kept in the summary. */
  onWarning?: (message: string) => void;
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
  /** The trained model whose parts this one started from (--load-weights), in this run or an earlier one. */
  pretrained?: Pretrained;
  /** What the run left out, and why. */
  warnings: string[];
}

/** The family of a model name, or which names exist. */
export function familyOf(model: string): Family {
  if (!isModelName(model)) {
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `Unknown model "${model}": expected one of ${Object.keys(models).join(', ')}.`,
    );
  }
  return families[models[model].family] as unknown as Family;
}

/** Resolves precision `auto`: bf16 where the device runs it natively, else fp32. */
function precisionFor(precision: string, device: 'cpu' | 'cuda'): CoreConfig['precision'] {
  if (precision !== 'auto') return precision as CoreConfig['precision'];
  return hasFastBf16(device) ? 'bf16' : 'fp32';
}

/**
 * Trains until `iterations`, the signal, or an error; always leaves a complete checkpoint. The model folder is
 * locked while it runs: a second process writing to it is refused.
 * @example
 * const s = await train({ a: 'faces_a/', b: 'faces_b/', modelDir: 'model/', iterations: 2000 });
 * console.log(`iteration ${s.iteration}`, s.losses); // run again with more iterations to go on
 */
export async function train(options: TrainOptions): Promise<TrainSummary> {
  const dir = resolve(options.modelDir);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const release = lockFolder(dir, 'The model folder');
  try {
    return await trainLocked(options, new ModelFolder(dir));
  } finally {
    release();
    if (created && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  }
}

/** Refuses a damaged folder (unless --restart), moves an old model aside for --restart, removes orphan files. */
function prepareFolder(folder: ModelFolder, restart: boolean): void {
  folder.recover(); // a checkpoint cut short by a kill: finished if committed, else dropped
  const status = folder.status();
  if (status === 'damaged' && !restart) {
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${folder.dir} holds a model's files but no ${folder.missing().join(' or ')}: it is damaged, not new, and ` +
        'training would overwrite its weights. ' +
        `Restore it from its backup (cp ${folder.paths.backup}/* ${folder.dir}/), ` +
        'or give --restart to start over (the old files move to replaced-*/ inside it).',
    );
  }
  if (restart && status !== 'new') folder.moveAside([LOCK_FILE]);
  folder.removeOrphans();
}

/**
 * The schema of a folder's stored settings: each setting stored as given is checked against its declaration; one the
 * family normalises first (a loss list into terms, --augment into its settings) is stored in another form and left
 * to the family.
 */
function storedSchema(family: Family) {
  const schema = familySchema(family),
    defaults = schemaDefaults(schema);
  const normalized = family.normalize ? family.normalize({ ...defaults }) : defaults;
  const plain = Object.entries(schema).filter(([k]) => JSON.stringify(normalized[k]) === JSON.stringify(defaults[k]));
  return settingsSchema(Object.fromEntries(plain));
}

/** Two folders for the families of two, one for StyleGAN, with what to type instead. */
function checkFolders(family: Family, model: string, a: string | undefined, b: string | undefined): void {
  const usage = (message: string) => new FaceganError(ErrorCodes.USAGE, `--model ${model} ${message}`);
  if ((family.folders ?? 2) === 1) {
    if (b) throw usage('trains on one folder: give it as -i FOLDER, without -B.');
    if (!a) throw usage('needs its folder of faces or images: -i FOLDER.');
  } else if (!a || !b) {
    throw usage('trains on two folders: give -A FOLDER and -B FOLDER.');
  }
}

async function trainLocked(options: TrainOptions, folder: ModelFolder): Promise<TrainSummary> {
  const { a, b, modelDir: _dir, restart, onProgress, onWarning, signal, evaluator, ...rest } = options;
  const { loadWeights, loadParts, ...given } = rest;
  const warnings = new Warnings(onWarning);
  prepareFolder(folder, !!restart);
  const stored = folder.exists() ? folder.readConfig() : undefined;
  const state: TrainState = stored ? folder.readState() : { iteration: 0, seconds: 0 };
  if (stored) folder.verify(state);
  const model = String(stored?.model ?? given.model ?? CORE_SCHEMA.model.default);
  const family = familyOf(model);
  if (stored) {
    checked(storedSchema(family), stored, folder.paths.config, DAMAGED_ADVICE, ErrorCodes.BAD_MODEL);
    requireConfigKeys(folder.paths.config, stored, [...fixedKeys(familySchema(family)), ...family.derivedKeys]);
  }
  checkApplicable(given, family, model, TRAIN_SCHEMA);
  checkFolders(family, model, a, b);
  const settings = resolveSettings(family, given, stored);
  const { derived, data } = await family.open({ a, b, warnings }, settings, stored);
  const config = { ...settings, ...derived } as CoreConfig & Record<string, unknown>;
  const device = resolveDevice(config.device);
  if (evaluator && config.trainedOn === 'images') {
    throw new FaceganError(
      ErrorCodes.USAGE,
      'This model learns whole images, not faces: --eval-every measures face swaps, so leave it out.',
    );
  }
  if (loadWeights && stored) {
    warnings.add(
      `--load-weights left out: ${folder.dir} already holds a model (iteration ${state.iteration}), ` +
        'which goes on from its own weights; give --restart to start it over from the other model.',
    );
  }
  // checked before the folder is written to: a wrong folder or part leaves nothing behind
  const lender =
    loadWeights && !stored ? checkLender(family.lendable, model, resolve(loadWeights), loadParts) : undefined;
  // what the config keeps is what was asked for (auto stays auto); the run uses what it resolves to here
  if (!stored) folder.create(config);
  else folder.writeConfig(config);
  folder.trimLog(state.iteration);

  manualSeed(config.seed);
  const runConfig = { ...config, precision: precisionFor(String(config.precision), device === 'cpu' ? 'cpu' : 'cuda') };
  const run = family.start(runConfig, data, device);
  let ctx: ReturnType<typeof placeModules>;
  try {
    if (lender) state.pretrained = loadPretrained(run, lender);
    ctx = placeModules(run, folder, !!stored, device, runConfig);
  } catch (e) {
    // weights that do not fit, a damaged optimizer file: release what the run started (its loader's worker)
    await run.batches.close();
    for (const { module } of Object.values(run.modules)) module.dispose();
    run.state?.dispose();
    throw e;
  }
  const r = await runLoop(run, ctx, folder, state, { signal, onProgress, evaluator });
  return { modelDir: folder.dir, config, ...r, warnings: warnings.list, pretrained: state.pretrained };
}
