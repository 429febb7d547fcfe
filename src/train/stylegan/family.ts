/**
 * The StyleGAN family: one folder of faces (or any images) teaches a generator of new ones. Modules: the
 * generator (`model`), the discriminator (`disc`, Adam scaled for lazy R1) and the EMA generator (`ema`, no
 * optimizer: the step moves it), which every output uses. One iteration is train/stylegan/step.ts; the preview is a
 * grid of fixed seeds drawn by the EMA generator.
 */
import { resolve } from 'node:path';
import { type Tensor, tensor, tidy } from '../../engine/index.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { splitPlanes } from '../../core/planar.js';
import { StyleDiscriminator, StyleGenerator, type StyleGanSpec } from '../../models/stylegan/index.js';
import { checkDerived, COVERAGE_ADVICE } from '../core/resolve.js';
import type { Family, FamilyRun, StepContext } from '../core/family.js';
import { imageBatch, loadImageSet, type ImageSet } from '../cyclegan/data.js';
import { STYLEGAN_SCHEMA, type StyleGanConfig } from './settings.js';
import { styleganStep, lazyAdam } from './step.js';
import { augmenter, DIFFAUGMENT_POLICIES, type DiffAugmentPolicy } from './diffaugment.js';

const BETAS = [0, 0.99] as const;
const PREVIEW_SEEDS = 16;

/** z [n, zDim] of seeds: the same seed gives the same z (and so the same image) on any machine. */
export function zOfSeeds(seeds: readonly number[], zDim: number): Tensor {
  const data = new Float32Array(seeds.length * zDim);
  seeds.forEach((s, i) => {
    const r = new Random(s, 0x57e1);
    for (let k = 0; k < zDim; k++) data[i * zDim + k] = r.normal();
  });
  return tensor(data, { shape: [seeds.length, zDim] });
}

export const specOf = (c: Pick<StyleGanConfig, 'size' | 'zDim' | 'mappingLayers' | 'channelBase' | 'channelMax'>) =>
  ({
    size: c.size,
    zDim: c.zDim,
    mapping: c.mappingLayers,
    channelBase: c.channelBase,
    channelMax: c.channelMax,
  }) satisfies StyleGanSpec;

export function parsePolicy(text: string): DiffAugmentPolicy[] {
  if (text === 'none' || text === '') return [];
  const parts = text.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !(DIFFAUGMENT_POLICIES as readonly string[]).includes(p));
  if (bad) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Expected --diffaugment as a list of ${DIFFAUGMENT_POLICIES.join(', ')} (or none) but received ${bad}.`,
    );
  }
  return parts as DiffAugmentPolicy[];
}

export const styleganFamily: Family<StyleGanConfig, Float32Array> = {
  id: 'stylegan',
  folders: 1,
  schema: STYLEGAN_SCHEMA,
  defaults: { lr: 0.0025, batchSize: 16, precision: 'auto' },
  derivedKeys: ['trainedOn'],
  async open(inputs, settings, stored) {
    const size = settings.size as number;
    if (![32, 64, 128, 256].includes(size)) {
      throw new FaceganError(ErrorCodes.USAGE, `Expected --size 32, 64, 128 or 256 for StyleGAN but received ${size}.`);
    }
    parsePolicy(settings.diffaugment as string);
    const set = await loadImageSet(resolve(inputs.a), size, settings.coverage as number, 'images');
    inputs.warnings?.skipped(set.skipped, set.folder, set.total);
    const derived: Record<string, unknown> = { trainedOn: set.trainedOn };
    if (set.trainedOn === 'faces') derived.extractCoverage = set.extractCoverage;
    checkDerived(derived, stored, {
      trainedOn: 'This model was trained on {stored}; this folder holds {given}.',
      extractCoverage: COVERAGE_ADVICE,
    });
    return { derived, data: set };
  },
  start(config, data): FamilyRun<StyleGanConfig, Float32Array> {
    const set = data as ImageSet,
      S = config.size,
      spec = specOf(config);
    const G = new StyleGenerator(spec),
      D = new StyleDiscriminator(spec),
      ema = new StyleGenerator(spec);
    ema.loadStateDict(G.stateDict());
    const disc = lazyAdam(config.lr, BETAS, config.r1Gamma > 0 ? config.r1Interval : 0); // scaled only with R1
    const augment = augmenter(parsePolicy(config.diffaugment), config.seed);
    const previewZ = tidy(() =>
      zOfSeeds(
        Array.from({ length: PREVIEW_SEEDS }, (_, i) => i),
        config.zDim,
      ),
    );
    return {
      modules: {
        model: { module: G, optimizer: { lr: config.lr, betas: BETAS } },
        disc: { module: D, optimizer: disc },
        ema: { module: ema },
      },
      outputModule: config.emaKimg > 0 ? 'ema' : 'model',
      batches: { get: async (i) => imageBatch(set, 'a', i, config.batchSize, config.seed, S), close: async () => {} },
      examplesPerIteration: config.batchSize,
      step: (ctx: StepContext<StyleGanConfig>, batch, iteration) => {
        const n = batch.length / (3 * S * S);
        const reals = ctx.toDevice(batch, [n, 3, S, S]).mul(2).sub(1);
        const parts = {
          G: ctx.modules.model as StyleGenerator,
          D: ctx.modules.disc as StyleDiscriminator,
          ema: config.emaKimg > 0 ? (ctx.modules.ema as StyleGenerator) : undefined,
          optG: ctx.optimizers.model!,
          optD: ctx.optimizers.disc!,
          device: ctx.device,
          autocast: ctx.autocast,
          augment,
        };
        const s = { ...config, emaKimg: config.emaKimg || 1 };
        const losses = styleganStep(parts, reals, iteration, s, (iteration - 1) * config.batchSize);
        if (config.emaKimg === 0) (ctx.modules.ema as StyleGenerator).loadStateDict(parts.G.stateDict());
        return losses;
      },
      // no loss measures a GAN's samples; until the sample measures land, keep the checkpoint whose losses are
      // nearest the balance where D cannot tell (lossD ~ 2 ln 2, lossG ~ ln 2)
      score: (l) => Math.abs(l.lossD! - 2 * Math.LN2) + Math.abs(l.lossG! - Math.LN2),
      lr: (name) => (name === 'disc' ? disc.lr : config.lr),
      preview: (ctx) => ({
        columns: ['0', '1', '2', '3'], // row r, column c: seed 4r + c
        gapAfter: 4,
        size: S,
        rows: tidy(() => {
          const g = ctx.modules.ema as StyleGenerator;
          const images = g
            .forward(previewZ.to({ device: ctx.device }), { noise: 'const' })
            .add(1)
            .div(2)
            .clamp(0, 1);
          const planes = splitPlanes(
            images.to({ device: 'cpu', dtype: 'float32' }).contiguous().data() as Float32Array,
            PREVIEW_SEEDS,
          );
          return Array.from({ length: PREVIEW_SEEDS / 4 }, (_, r) => planes.slice(4 * r, 4 * r + 4));
        }),
      }),
      evalTarget: (ctx, iteration) =>
        config.trainedOn === 'faces'
          ? {
              generator: ctx.modules.ema as StyleGenerator,
              iteration,
              coverage: config.coverage,
              extractCoverage: config.extractCoverage,
            }
          : undefined,
      dispose: () => previewZ.dispose(),
    };
  },
};
