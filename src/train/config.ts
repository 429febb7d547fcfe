/**
 * Training settings: one schema (type, default, range, help) read by the CLI, the dashboard and the validation.
 * Settings that shape the model or its data (`FIXED`) are set when a model folder is made and kept from then
 * on; the others (`kept`) keep their last value when a run resumes without them, and may be changed by giving them.
 */
import type { OptionSchema } from '../core/options.js';
import { MODEL_NAMES } from '../models/registry.js';
import { AUGMENT_DEFAULTS, type AugmentOptions } from './augment.js';
import { LOSS_TERMS } from './losses.js';

export const TRAIN_SCHEMA = {
  model: { type: 'string', help: `architecture (${MODEL_NAMES.join(', ')}); default lightweight, kept by the model folder`, choices: MODEL_NAMES },
  mask: { type: 'boolean', help: 'also learn a face mask (a 4th output channel); convert can blend with it' },
  coverage: { type: 'number', help: 'central share of each extracted face the model sees (default 0.875)', min: 0.5, max: 1 },
  loss: { type: 'list', help: `loss terms as name[:weight] (${LOSS_TERMS.join(', ')}); default ssim mse` },
  eyeWeight: { type: 'number', help: 'loss multiplier on the eyes (default 3)', min: 1, max: 20 },
  mouthWeight: { type: 'number', help: 'loss multiplier on the mouth (default 2)', min: 1, max: 20 },
  gan: { type: 'boolean', help: 'add an adversarial loss from a PatchGAN discriminator per side' },
  ganWeight: { type: 'number', help: 'weight of the adversarial loss (default 0.1)', min: 0, max: 10 },
  seed: { type: 'int', help: 'seed of initial weights, batch order and augmentation (default 0)', min: 0 },
  batchSize: { type: 'int', kept: true, help: 'faces per side per iteration', default: 16, min: 1, max: 512 },
  iterations: { type: 'int', kept: true, help: 'stop at this iteration count (a resumed run counts on)', default: 100000, min: 1 },
  lr: { type: 'number', kept: true, help: 'Adam learning rate (faceswap uses 5e-5; 1e-4 learned faster here)', default: 1e-4, min: 1e-7, max: 1 },
  eps: { type: 'number', kept: true, help: 'Adam epsilon', default: 1e-7, min: 1e-12, max: 1 },
  warmup: { type: 'int', kept: true, help: 'iterations over which the learning rate rises from 0 (0: none)', default: 0, min: 0 },
  clip: { type: 'number', kept: true, help: 'clip the gradient norm to this (0: no clipping)', default: 0, min: 0 },
  precision: { type: 'string', kept: true, help: 'fp32, or bf16/fp16 autocast for the models (bf16 is ~3x faster on CPUs with AMX)', default: 'fp32', choices: ['fp32', 'bf16', 'fp16'] },
  device: { type: 'string', kept: true, help: 'auto (cuda when there is one), cpu or cuda', default: 'auto', choices: ['auto', 'cpu', 'cuda'] },
  saveEvery: { type: 'int', kept: true, help: 'write a checkpoint every n iterations', default: 250, min: 1 },
  previewEvery: { type: 'int', kept: true, help: 'write the preview grid every n iterations', default: 100, min: 1 },
  snapshotEvery: { type: 'int', kept: true, help: 'keep a copy of the weights every n iterations in snapshots/ (0: none)', default: 0, min: 0 },
  timelapse: { type: 'boolean', kept: true, default: false, help: 'also keep every preview as previews/NNNNNNN.png' },
  logEvery: { type: 'int', kept: true, help: 'append losses to log.jsonl every n iterations', default: 10, min: 1 },
  warpToLandmarks: { type: 'boolean', kept: true, default: false, help: 'warp each input so that its landmarks move to those of a similar face of the same person (faceswap\'s warp-to-landmarks), instead of the random grid warp' },
  augment: { type: 'boolean', kept: true, help: 'augment the faces (warp, zoom/rotate/shift, flip, colour); --no-augment turns it off', default: true },
} as const satisfies OptionSchema;

/** What a model folder's config.json holds: every setting resolved. */
export interface TrainConfig {
  model: string;
  mask: boolean;
  size: number;
  /** Central share of the extracted crops the model sees. */
  coverage: number;
  /** Coverage of the extracted faces (from their records). */
  extractCoverage: number;
  /** The model's own coverage: the share of its input the mean face spans (extractCoverage / coverage). */
  modelCoverage: number;
  loss: { term: string; weight: number }[];
  eyeWeight: number;
  mouthWeight: number;
  gan: boolean;
  ganWeight: number;
  seed: number;
  augment: AugmentOptions;
  warpToLandmarks: boolean;
  batchSize: number;
  iterations: number;
  lr: number;
  eps: number;
  warmup: number;
  clip: number;
  precision: 'fp32' | 'bf16' | 'fp16';
  device: 'auto' | 'cpu' | 'cuda';
  saveEvery: number;
  previewEvery: number;
  timelapse: boolean;
  snapshotEvery: number;
  logEvery: number;
}

/** Kept from the folder's first run; a different value given later is refused. */
export const FIXED = ['model', 'mask', 'coverage', 'loss', 'eyeWeight', 'mouthWeight', 'gan', 'ganWeight', 'seed'] as const;

export const FIXED_DEFAULTS = { model: 'lightweight', mask: false, coverage: 0.875, loss: ['ssim', 'mse'], eyeWeight: 3, mouthWeight: 2, gan: false, ganWeight: 0.1, seed: 0 } as const;

export { AUGMENT_DEFAULTS };
