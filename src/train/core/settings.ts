/**
 * The settings every model family shares: which model, the seed, how long and how fast it trains, on what, and
 * how often it checkpoints, previews and logs. One declaration each (type, default, range, help); a family adds
 * its own schema beside it (train/config.ts for the pair models, train/cyclegan/settings.ts) and may override a
 * default.
 */
import type { OptionSchema } from '../../core/options.js';
import { MODEL_NAMES } from '../../models/registry.js';

export const CORE_SCHEMA = {
  model: {
    type: 'string',
    fixed: true,
    default: 'lightweight',
    choices: MODEL_NAMES,
    help: 'architecture, kept by the model folder',
  },
  seed: { type: 'int', fixed: true, default: 0, min: 0, help: 'seed of initial weights, batch order and augmentation' },
  batchSize: { type: 'int', kept: true, help: 'images per side per iteration', default: 16, min: 1, max: 512 },
  iterations: {
    type: 'int',
    kept: true,
    help: 'stop at this iteration count (a resumed run counts on)',
    default: 100000,
    min: 1,
  },
  lr: { type: 'number', kept: true, help: 'Adam learning rate', default: 1e-4, min: 1e-7, max: 1 },
  precision: {
    type: 'string',
    kept: true,
    default: 'auto',
    choices: ['auto', 'fp32', 'bf16', 'fp16'],
    help: 'auto: bf16 autocast where the CPU or GPU runs it natively (2-4x faster on CPUs with AMX), else fp32',
  },
  device: {
    type: 'string',
    kept: true,
    help: 'auto (cuda when there is one), cpu or cuda',
    default: 'auto',
    choices: ['auto', 'cpu', 'cuda'],
  },
  saveEvery: { type: 'int', kept: true, help: 'write a checkpoint every n iterations', default: 250, min: 1 },
  previewEvery: { type: 'int', kept: true, help: 'write the preview grid every n iterations', default: 100, min: 1 },
  snapshotEvery: {
    type: 'int',
    kept: true,
    help: 'keep a copy of the weights every n iterations in snapshots/ (0: none)',
    default: 0,
    min: 0,
  },
  timelapse: { type: 'boolean', kept: true, default: false, help: 'also keep every preview as previews/NNNNNNN.png' },
  logEvery: { type: 'int', kept: true, help: 'append losses to log.jsonl every n iterations', default: 10, min: 1 },
} as const satisfies OptionSchema;
