/**
 * The pair models' settings (lightweight, lightweight128, original, h128): one schema (type, default, range, help,
 * fixed or kept) read by the CLI, the dashboard and the validation, beside the core's (core/settings.ts). The config
 * type is derived from the schemas; the folder stores the loss as terms and augmentation as its options.
 */
import type { OptionSchema, Resolved } from '../core/options.js';
import { AUGMENT_DEFAULTS, type AugmentOptions } from './augment.js';
import { LOSS_TERMS, type LossSpec } from './losses.js';
import type { CoreConfig } from './core/family.js';

/** The central share of an extracted face a model sees (pair models and CycleGAN on faces alike). */
export const COVERAGE_SPEC = {
  type: 'number',
  fixed: true,
  default: 0.875,
  min: 0.5,
  max: 1,
  help: 'central share of each extracted face the model sees',
} as const;

/**
 * The latent cycle's share of its weight at an iteration: none while the decoders learn to draw faces at all (a swap
 * of an untrained decoder is no test of what it carries; from the start, the cycle's gradient held the cyclist pair's
 * reconstruction near an untrained model's loss for as long as it was run, 1,200-3,000 iterations), then rising to
 * the full weight (docs/convergence.md).
 */
export const CYCLE_SCHEDULE = { start: 1000, full: 2000 } as const;
export const cycleShare = (iteration: number): number =>
  Math.min(1, Math.max(0, (iteration - CYCLE_SCHEDULE.start) / (CYCLE_SCHEDULE.full - CYCLE_SCHEDULE.start)));

export const PAIR_SCHEMA = {
  mask: {
    type: 'boolean',
    fixed: true,
    default: false,
    help: 'also learn a face mask (a 4th output channel); convert can blend with it',
  },
  coverage: COVERAGE_SPEC,
  loss: {
    type: 'list',
    fixed: true,
    default: ['ssim', 'mse'],
    help: `loss terms as name[:weight] (${LOSS_TERMS.join(', ')})`,
  },
  eyeWeight: { type: 'number', fixed: true, default: 3, help: 'loss multiplier on the eyes', min: 1, max: 20 },
  mouthWeight: { type: 'number', fixed: true, default: 2, help: 'loss multiplier on the mouth', min: 1, max: 20 },
  colourTransfer: {
    type: 'number',
    kept: true,
    default: 0,
    min: 0,
    max: 1,
    help:
      'chance that a training face takes the colour of a face of the other side (its Lab mean and spread: ' +
      "DeepFaceLab's random colour transfer), so that the shared encoder cannot tell the two people apart by lighting",
  },
  cycleWeight: {
    type: 'number',
    kept: true,
    default: 0,
    min: 0,
    max: 100,
    help:
      "weight of the latent cycle: half of each batch's faces, decoded as the other person and encoded again, " +
      'should give back their code (so that a swap carries the whole expression, not a template of the other ' +
      "person); the second encoding trains the encoder too. The distance is over the codes' spread between faces; " +
      `the cycle starts at iteration ${CYCLE_SCHEDULE.start} and reaches this weight at ${CYCLE_SCHEDULE.full}`,
  },
  expressionWeight: {
    type: 'number',
    kept: true,
    default: 0,
    min: 0,
    max: 100,
    help:
      "weight of the expression loss: a small probe, trained beside the model on both sides' real faces, reads how " +
      "open each swapped face's mouth is, and the swap should read as open as the face it came from, in the other " +
      "person's range; it trains the encoder only (needs faces extracted by facegan, whose landmarks give the labels)",
  },
  expressionUntil: {
    type: 'int',
    kept: true,
    default: 0,
    min: 0,
    help:
      'the last iteration of the expression loss and its probe (0: to the end): the mouth is learned early, and ' +
      'each step without the probe is a quarter cheaper',
  },
  expressionEvery: {
    type: 'int',
    kept: true,
    default: 1,
    min: 1,
    max: 16,
    help:
      "the expression loss's swap term every this many iterations, at this many times its weight: decoding the " +
      'swapped faces again and back is most of what the loss costs a step, so 2 halves that (the probe still learns ' +
      'every step)',
  },
  gan: {
    type: 'boolean',
    fixed: true,
    default: false,
    help: 'add an adversarial loss from a PatchGAN discriminator per side',
  },
  ganWeight: { type: 'number', fixed: true, default: 0.1, help: 'weight of the adversarial loss', min: 0, max: 10 },
  eps: { type: 'number', kept: true, help: 'Adam epsilon', default: 1e-7, min: 1e-12, max: 1 },
  warmup: {
    type: 'int',
    kept: true,
    help: 'iterations over which the learning rate rises from 0 (0: none)',
    default: 0,
    min: 0,
  },
  clip: { type: 'number', kept: true, help: 'clip the gradient norm to this (0: no clipping)', default: 0, min: 0 },
  warpToLandmarks: {
    type: 'boolean',
    kept: true,
    default: false,
    help:
      'warp each input so that its landmarks move to those of a similar face of the same person ' +
      "(faceswap's), instead of the random grid warp",
  },
  ema: {
    type: 'int',
    kept: true,
    help:
      'half-life in iterations of the averaged weights that previews, evaluations and convert use ' +
      "(0: the last step's weights)",
    default: 100,
    min: 0,
  },
  augment: {
    type: 'boolean',
    kept: true,
    help: 'augment the faces (warp, zoom/rotate/shift, flip, colour); --no-augment turns it off',
    default: true,
  },
} as const satisfies OptionSchema;

/** What a pair model folder's config.json holds: every setting resolved, and what the faces gave. */
export type TrainConfig = CoreConfig &
  Omit<Resolved<typeof PAIR_SCHEMA>, 'loss' | 'augment'> & {
    loss: LossSpec;
    augment: AugmentOptions;
    /** Side of the model's input and output. */
    size: number;
    /** Coverage of the extracted faces (from their records). */
    extractCoverage: number;
    /** The model's own coverage: the share of its input the mean face spans (extractCoverage / coverage). */
    modelCoverage: number;
  };

export { AUGMENT_DEFAULTS };
