/**
 * StyleGAN's settings, beside the core's (core/settings.ts): the shape of ../shared/bench/reference_stylegan2.py
 * (64 px, z 256, 2 mapping layers) at half its widths (channel base 2048, max 128: measured faster to faces on a
 * CPU), and stylegan2-ada-pytorch's training settings.
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
    // 2048 and 128 make faces on 2 CPU cores in about 80 minutes (32k images: detection 72%); the reference's 4096
    // and 256 see 3.3x fewer images an hour and had none at 2 hours' worth (docs/stylegan.md, Quality)
    default: 2048,
    min: 64,
    max: 65536,
    help: 'StyleGAN: widths are min(base / resolution, --channel-max) (a GPU: 4096 or more; the paper: 32768)',
  },
  channelMax: {
    type: 'int',
    fixed: true,
    default: 128,
    min: 8,
    max: 1024,
    help: 'StyleGAN: widest layer (a GPU: 256 or more; the paper: 512)',
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
