/**
 * CycleGAN's settings, beside the core's (core/settings.ts): the paper's defaults at a CPU-sized scale (64 px,
 * ngf 32, 6 residual blocks), and the full 256 px / ngf 64 / 9 blocks model a flag away.
 */
import type { OptionSchema, Resolved } from '../../core/options.js';
import { UPSAMPLE_MODES } from '../../models/cyclegan.js';
import { COVERAGE_SPEC } from '../config.js';
import type { CoreConfig } from '../core/family.js';

export const CYCLEGAN_SCHEMA = {
  size: {
    type: 'int',
    fixed: true,
    default: 64,
    min: 32,
    max: 1024,
    help: 'CycleGAN: side of the images it trains on (a multiple of 4; 64, 128, 256)',
  },
  ngf: {
    type: 'int',
    fixed: true,
    default: 32,
    min: 4,
    max: 256,
    help: "CycleGAN: filters of the generators' first layer (the paper: 64)",
  },
  ndf: {
    type: 'int',
    fixed: true,
    default: 64,
    min: 4,
    max: 256,
    help: "CycleGAN: filters of the discriminators' first layer",
  },
  blocks: {
    type: 'int',
    fixed: true,
    default: 6,
    min: 1,
    max: 32,
    help: 'CycleGAN: residual blocks per generator (the paper: 9 at 256 px)',
  },
  upsample: {
    type: 'string',
    fixed: true,
    default: 'transpose',
    choices: UPSAMPLE_MODES,
    help: "CycleGAN: transposed convs (the paper's), or bilinear/nearest resize then a 3x3 conv (no checkerboard)",
  },
  cycleWeight: {
    type: 'number',
    fixed: true,
    default: 10,
    min: 0,
    max: 100,
    help: 'CycleGAN: weight of the cycle L1 loss (lambda)',
  },
  identityWeight: {
    type: 'number',
    fixed: true,
    default: 0.5,
    min: 0,
    max: 10,
    help: 'CycleGAN: identity L1 loss, as a share of lambda',
  },
  poolSize: {
    type: 'int',
    fixed: true,
    default: 50,
    min: 0,
    max: 1000,
    help: 'CycleGAN: past fakes the discriminators also see (0: none)',
  },
  decay: {
    type: 'number',
    kept: true,
    default: 0.5,
    min: 0,
    max: 1,
    help: 'CycleGAN: share of the iterations at the end over which the lr falls linearly to 0',
  },
  coverage: COVERAGE_SPEC,
} as const satisfies OptionSchema;

export type CycleGanConfig = CoreConfig &
  Resolved<typeof CYCLEGAN_SCHEMA> & {
    /** What the folders held: aligned face crops (with their records) or plain images. */
    trainedOn: 'faces' | 'images';
    /** Faces only: the crops' extract coverage, and the share of the model's input the mean face spans. */
    extractCoverage?: number;
    modelCoverage?: number;
  };
