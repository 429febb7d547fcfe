/**
 * What a model family plugs into the training core. The core owns the model folder, the loop, precision, the lr
 * schedule's application, checkpoints, previews, logs, Ctrl-C and the evaluator hook; a family supplies its
 * settings, its data, its modules, one step, and its preview cells (as faceswap's TrainerBase leaves
 * train_batch to each model, and transformers.js maps a model type to its classes).
 */
import type { Module, Adam, AdamOptions, Device, Tensor } from '../../engine/index.js';
import type { OptionSchema, Resolved } from '../../core/options.js';
import type { EvalTarget } from './loop.js';
import type { CORE_SCHEMA } from './settings.js';
import type { Warnings } from '../../core/warnings.js';
import type { Lendable } from './pretrained.js';

/** The core's settings, resolved (precision `auto` already turned into what this machine runs). */
export type CoreConfig = Omit<Resolved<typeof CORE_SCHEMA>, 'precision'> & { precision: 'fp32' | 'bf16' | 'fp16' };

/** The folders a family trains on (A and B: faces of two people, or images of two styles; A alone for StyleGAN). */
export interface TrainInputs {
  a: string;
  /** Given to the families of two folders (checked before open()). */
  b?: string;
  /** Where open() reports what it left out (files it could not read). */
  warnings?: Warnings;
}

/**
 * A trained part with its optimizer: saved as NAME.safetensors and its optimizer beside it. A part without an
 * optimizer (StyleGAN's EMA generator) is saved and resumed but updated by the step itself.
 */
export interface NamedModule {
  module: Module;
  optimizer?: AdamOptions;
  /**
   * A part added to a folder that was trained without it (the pair models' EMA, turned on later, or a folder from
   * before it existed) starts on resume as a copy of this part, instead of refusing the folder.
   */
  initFrom?: string;
  /**
   * A part that a resumed folder may lack (one a setting turns on later, as the pair models' expression probe): it
   * then starts as built, instead of refusing the folder.
   */
  optional?: boolean;
}

/** What the step and previews see: the modules by name with their optimizers, and where they run. */
export interface StepContext<C> {
  config: C;
  modules: Record<string, Module>;
  optimizers: Record<string, Adam>;
  device: Device;
  /** Runs fn under autocast when the config asks for bf16/fp16 (the step decides what runs inside). */
  autocast: <T>(fn: () => T) => T;
  /** Moves planar float data to the device as a tensor of this shape. */
  toDevice: (data: Float32Array, shape: number[]) => Tensor;
}

/** Batches as a pure function of the iteration (so that a resumed run continues the exact sequence). */
export interface BatchSource<B> {
  get(iteration: number): Promise<B>;
  close(): Promise<void>;
}

/** The preview grid: labelled columns (a gap after `gapAfter` of them), one row per preview image. */
export interface PreviewCells {
  columns: readonly string[];
  gapAfter: number;
  size: number;
  rows: (Float32Array | undefined)[][];
}

/** Something a family keeps between steps besides its modules (CycleGAN's image pools): saved with checkpoints. */
export interface StepState {
  save(): Map<string, Tensor>;
  load(tensors: Map<string, Tensor>): void;
  dispose(): void;
}

/** A family's run: built once the config is resolved and the data read. */
export interface FamilyRun<C, B> {
  modules: Record<string, NamedModule>;
  /** The batches of the run, made ahead in the background where that pays. */
  batches: BatchSource<B>;
  /** Images per iteration over both sides (for the examples/s figure). */
  examplesPerIteration: number;
  /** One optimisation step on a batch (inside the core's tidy); returns named losses (log keys). */
  step(ctx: StepContext<C>, batch: B, iteration: number): Record<string, number>;
  /** The figure whose mean between checkpoints picks the best one (kept in backup/). */
  score(losses: Record<string, number>): number;
  /** The learning rate of a named module at an iteration (schedules, warm-up). */
  lr(module: string, iteration: number): number;
  /** The preview grid's cells (modules in eval mode, no gradients). */
  preview(ctx: StepContext<C>): PreviewCells;
  /** What the evaluator hook measures: the model as the swap code sees it, or a generator; undefined: nothing. */
  evalTarget?(ctx: StepContext<C>, iteration: number): EvalTarget | undefined;
  /** The part whose weights a snapshot keeps: the one outputs are made with (default `model`; StyleGAN: `ema`). */
  outputModule?: string;
  /** State kept between steps besides the modules. */
  state?: StepState;
  /** Releases what the run holds besides modules and batches. */
  dispose?(): void;
}

/** A model family: its settings, how it reads the data and builds a run, and its preview column labels. */
export interface Family<C extends CoreConfig = CoreConfig, B = unknown> {
  id: string;
  /** How many folders it trains on: two (A and B; the default) or one (-i). */
  folders?: 1 | 2;
  /** The family's own settings (beside CORE_SCHEMA). */
  schema: OptionSchema;
  /** Settings a family derives from its data (stored in config.json; a folder without them is damaged). */
  derivedKeys: readonly string[];
  /** Defaults of core settings that differ for this family (CycleGAN: lr 2e-4, batch 1). */
  defaults: Partial<Record<keyof typeof CORE_SCHEMA, unknown>>;
  /** Defaults of one model of the family, over the family's (the lightweight pair model's lr and batch). */
  modelDefaults?(model: string): Partial<Record<keyof typeof CORE_SCHEMA, unknown>>;
  /** Turns given values into the form config.json stores (a loss list into terms, a flag into options). */
  normalize?(given: Record<string, unknown>): Record<string, unknown>;
  /**
   * Reads the two folders and returns settings derived from them (image size, the faces' coverage), checked
   * against a stored config when the folder resumes.
   */
  open(
    inputs: TrainInputs,
    settings: Record<string, unknown>,
    stored: Record<string, unknown> | undefined,
  ): Promise<{ derived: Record<string, unknown>; data: unknown }>;
  /** The parts a trained folder of the same model may lend a new one (train --load-weights). */
  lendable?: Lendable;
  /** Builds the run on the resolved config and the data open() read. */
  start(config: C, data: unknown, device: Device): FamilyRun<C, B>;
}
