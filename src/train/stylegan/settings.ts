/**
 * StyleGAN's settings, beside the core's (core/settings.ts): the CPU default of ../shared/bench/reference_stylegan2.py
 * (64 px, z 256, 2 mapping layers, channel base 4096, max 256) and stylegan2-ada-pytorch's training settings.
 */
import type { OptionSchema, Resolved } from '../../core/options.js';
import { CYCLEGAN_SCHEMA } from '../cyclegan/settings.js';
import { COVERAGE_SPEC } from '../config.js';
import { DIFFAUGMENT_POLICIES } from './diffaugment.js';
import type { CoreConfig } from '../core/family.js';

export const STYLEGAN_SCHEMA = {
  // one declaration of --size for the image families (CycleGAN's)
  size: CYCLEGAN_SCHEMA.size,
  zDim: {
    type: 'int',
    fixed: true,
    default: 256,
    min: 8,
    max: 1024,
    help: 'StyleGAN: size of z and w (the paper: 512)',
  },
  mappingLayers: {
    type: 'int',
    fixed: true,
    default: 2,
    min: 1,
    max: 8,
    help: 'StyleGAN: layers of the mapping network (the paper: 8)',
  },
  channelBase: {
    type: 'int',
    fixed: true,
    default: 4096,
    min: 64,
    max: 65536,
    help: 'StyleGAN: widths are min(base / resolution, --channel-max) (the paper: 32768)',
  },
  channelMax: {
    type: 'int',
    fixed: true,
    default: 256,
    min: 8,
    max: 1024,
    help: 'StyleGAN: widest layer (the paper: 512)',
  },
  r1Gamma: { type: 'number', kept: true, default: 0.05, min: 0, max: 100, help: 'StyleGAN: R1 weight gamma' },
  r1Interval: {
    type: 'int',
    kept: true,
    default: 16,
    min: 0,
    max: 1000,
    help: 'StyleGAN: iterations between R1 steps (0: no R1)',
  },
  mixing: { type: 'number', kept: true, default: 0.9, min: 0, max: 1, help: 'StyleGAN: share of style-mixed batches' },
  emaKimg: {
    type: 'number',
    kept: true,
    default: 5,
    min: 0,
    max: 1000,
    help: 'StyleGAN: half-life of the EMA generator in thousands of images (0: no averaging)',
  },
  diffaugment: {
    type: 'string',
    kept: true,
    default: DIFFAUGMENT_POLICIES.join(','),
    help: `StyleGAN: differentiable augmentations D sees (${DIFFAUGMENT_POLICIES.join(', ')}; none)`,
  },
  coverage: COVERAGE_SPEC,
} as const satisfies OptionSchema;

export type StyleGanConfig = CoreConfig &
  Resolved<typeof STYLEGAN_SCHEMA> & { trainedOn: 'faces' | 'images'; extractCoverage?: number };
