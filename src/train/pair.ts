/**
 * The pair family (faceswap's workflow: lightweight, lightweight128, original, h128): a shared encoder and a decoder
 * per side learn to rebuild warped faces of A and B (SSIM + MSE with eye and mouth weights, optionally a learned mask
 * and a PatchGAN discriminator per side). Plugs into the training core (core/loop.ts).
 */
import { resolve } from 'node:path';
import { cat, clipGradNorm, mseLoss, noGrad, tidy, type Tensor } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { splitPlanes } from '../core/planar.js';
import {
  createModel,
  isPairModel,
  pairModels,
  type ModelName,
  type PairModelEntry,
  type PairModelName,
} from '../models/registry.js';
import type { PairAutoencoder } from '../models/autoencoder.js';
import { PatchDiscriminator } from '../models/patchgan.js';
import { AUGMENT_DEFAULTS, NO_AUGMENT, type SampleOptions } from './augment.js';
import { loadFaceset } from './faceset.js';
import { shareFaces, sharedFaceSources, type SharedFaces } from './shared-faces.js';
import { previewBatch, type Batch, type Side } from './batches.js';
import { BatchLoader, loaderWorkers } from './loader.js';
import { parseLossSpec, reconstructionLoss } from './losses.js';
import { cycleShare, PAIR_SCHEMA, type TrainConfig } from './config.js';
import { COVERAGE_ADVICE, checkDerived, resolveSettings } from './core/resolve.js';
import type { Family, FamilyRun, NamedModule, StepContext } from './core/family.js';
import { iterationEmaBeta, updateEma } from './core/ema.js';
import { checkExpressionFaces, ExpressionLoss, PROBE_LR } from './expression.js';

const SIDES = ['a', 'b'] as const;
const PREVIEW_FACES = 4;

interface PairData {
  /** Both facesets decoded once, in shared memory that the data workers read too. */
  faces: Record<Side, SharedFaces>;
}

function normalize(given: Record<string, unknown>): Record<string, unknown> {
  const g = { ...given };
  if (Array.isArray(g.loss)) g.loss = parseLossSpec(g.loss as string[]);
  if (typeof g.augment === 'boolean') g.augment = g.augment ? AUGMENT_DEFAULTS : NO_AUGMENT;
  return g;
}

const DERIVED_ADVICE = {
  extractCoverage: COVERAGE_ADVICE,
};

/** The faces' settings derived from the model and the crops (pure; checked against a stored config). */
function derive(settings: Record<string, unknown>, extractCoverage: number): Record<string, unknown> {
  const size = pairModels[settings.model as PairModelName].spec.size;
  return { size, extractCoverage, modelCoverage: extractCoverage / (settings.coverage as number) };
}

/** The resolved config of a pair model (the settings, then what the faces give); pure, for the CLI and tests. */
export function resolveConfig(given: object, stored: TrainConfig | undefined, extractCoverage: number): TrainConfig {
  const settings = resolveSettings(pairFamily, given as Record<string, unknown>, stored);
  const derived = derive(settings, extractCoverage);
  checkDerived(derived, stored, DERIVED_ADVICE);
  return { ...settings, ...derived } as TrainConfig;
}

interface PairTensors {
  input: Tensor;
  target: Tensor;
  weights: Tensor;
  mask: Tensor;
}

function sideTensors(ctx: StepContext<TrainConfig>, b: Batch): PairTensors {
  const n = b.faces.length,
    s = ctx.config.size;
  return {
    input: ctx.toDevice(b.input, [n, 3, s, s]),
    target: ctx.toDevice(b.target, [n, 3, s, s]),
    weights: ctx.toDevice(b.weights, [n, 1, s, s]),
    mask: ctx.toDevice(b.mask, [n, 1, s, s]),
  };
}

/** What a new pair model may take from a trained one (train --load-weights): the tensors' name prefixes. */
export const LENT_PARTS = { encoder: 'enc.', 'decoder-a': 'dec_a.', 'decoder-b': 'dec_b.' };

/** One iteration: both sides through their decoders (and judges), then each discriminator's own update. */
function pairStep(
  ctx: StepContext<TrainConfig>,
  batches: Record<Side, Batch>,
  iteration: number,
  expression?: ExpressionLoss,
): Record<string, number> {
  const { config } = ctx;
  const model = ctx.modules.model as PairAutoencoder,
    opt = ctx.optimizers.model!;
  const disc = config.gan
    ? { a: ctx.modules.disc_a as PatchDiscriminator, b: ctx.modules.disc_b as PatchDiscriminator }
    : undefined;
  const t = { a: sideTensors(ctx, batches.a), b: sideTensors(ctx, batches.b) };
  const swapFaces = Math.ceil(config.batchSize / 2);
  const cycleWeight = config.cycleWeight * cycleShare(iteration);
  const swapCounts = { a: Math.min(swapFaces, batches.a.faces.length), b: Math.min(swapFaces, batches.b.faces.length) };
  // the expression loss's swap term this step (every expressionEvery-th, at that many times the weight)
  const swapping = expression && iteration % config.expressionEvery === 0 ? expression : undefined;
  // what each swapped face should read: A's first faces, then B's
  const targets = swapping
    ? SIDES.flatMap((side) => swapping.swapTargets(side, batches[side].faces.slice(0, swapCounts[side])))
    : [];
  opt.zeroGrad();
  // one pass of the shared encoder over both sides' faces, in one autocast region (its weights are cast once a step)
  const out: { a: Tensor; b: Tensor; cycle?: Tensor; expression?: { value: Tensor; surrogate: Tensor } } = ctx.autocast(
    () =>
      tidy(() => {
        const cycle = cycleWeight > 0;
        const y = model.forwardPair(t.a.input, t.b.input, {
          swapFaces: cycle ? swapFaces : 0,
          cycle,
          codes: !!swapping,
        });
        const n = batches.a.faces.length;
        const e = swapping?.swapTerm(ctx.toDevice, model, y.codes!, n, swapCounts, targets);
        return { a: y.a.to('float32'), b: y.b.to('float32'), cycle: y.cycle?.to('float32'), expression: e };
      }),
  );
  const values: Record<string, Tensor> = {};
  let total: Tensor | undefined;
  for (const side of SIDES) {
    const y = out[side],
      face = config.mask ? y.narrow(1, 0, 3) : y;
    const weights = config.mask ? t[side].weights.mul(t[side].mask) : t[side].weights;
    let l = reconstructionLoss(face, t[side].target, weights, config.loss);
    if (config.mask) l = l.add(mseLoss(y.narrow(1, 3, 1), t[side].mask));
    values[side === 'a' ? 'lossA' : 'lossB'] = l;
    if (disc) l = l.add(disc[side].forward(face).sub(1).square().mean().mul(config.ganWeight)); // LSGAN: fool the judge
    total = total ? total.add(l) : l;
  }
  if (out.cycle) {
    values.cycle = out.cycle;
    total = total!.add(out.cycle.mul(cycleWeight));
  }
  if (out.expression) {
    values.expression = out.expression.value;
    const weight = config.expressionWeight * config.expressionEvery * expression!.ramp(iteration);
    total = total!.add(out.expression.surrogate.mul(weight));
  }
  total!.backward();
  if (config.clip > 0) clipGradNorm(model, config.clip);
  opt.step();
  if (expression) {
    const images = cat([t.a.target, t.b.target], 0);
    const faces = { a: batches.a.faces, b: batches.b.faces };
    values.probe = expression.fitProbe(ctx.optimizers.probe!, ctx.toDevice, images, faces, ctx.autocast);
    images.dispose();
  }
  if (disc) {
    for (const side of SIDES) {
      const dOpt = ctx.optimizers[`disc_${side}`]!;
      dOpt.zeroGrad();
      const fake = (config.mask ? out[side].narrow(1, 0, 3) : out[side]).detach();
      const real = disc[side].forward(t[side].target).sub(1).square().mean();
      const d = real.add(disc[side].forward(fake).square().mean()).mul(0.5);
      d.backward();
      dOpt.step();
      values[side === 'a' ? 'discA' : 'discB'] = d;
    }
  }
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.item()]));
}

/** The six cells of each preview row: A, A->A, A->B, B, B->B, B->A. */
function previewCells(
  model: PairAutoencoder,
  previews: Record<Side, Batch>,
  ctx: StepContext<TrainConfig>,
): (Float32Array | undefined)[][] {
  const size = ctx.config.size;
  const run = (b: Batch, side: Side): Float32Array[] => {
    const n = b.faces.length;
    const out = noGrad(() =>
      tidy(
        () =>
          model
            .forward(ctx.toDevice(b.target, [n, 3, size, size]), side)
            .narrow(1, 0, 3)
            .contiguous()
            .to({ device: 'cpu', dtype: 'float32' })
            .data() as Float32Array,
      ),
    );
    return splitPlanes(out, n);
  };
  const a = splitPlanes(previews.a.target, previews.a.faces.length),
    b = splitPlanes(previews.b.target, previews.b.faces.length);
  const aa = run(previews.a, 'a'),
    ab = run(previews.a, 'b'),
    bb = run(previews.b, 'b'),
    ba = run(previews.b, 'a');
  const rows = Math.max(a.length, b.length);
  return Array.from({ length: rows }, (_, r) => [a[r], aa[r], ab[r], b[r], bb[r], ba[r]]);
}

export const pairFamily: Family<TrainConfig, Record<Side, Batch>> = {
  id: 'pair',
  schema: PAIR_SCHEMA,
  defaults: {},
  modelDefaults: (model) => {
    const entry: PairModelEntry | undefined = isPairModel(model) ? pairModels[model] : undefined;
    return entry?.defaults ?? {};
  },
  derivedKeys: ['size', 'extractCoverage', 'modelCoverage'],
  lendable: { module: 'model', parts: LENT_PARTS, defaults: ['encoder'] },
  normalize,
  async open(inputs, settings, stored) {
    const folders = { a: resolve(inputs.a), b: resolve(inputs.b!) }; // train() checked that B is given
    if (folders.a === folders.b)
      throw new FaceganError(ErrorCodes.USAGE, 'A and B are the same folder: give the faces of two different people.');
    const size = pairModels[settings.model as PairModelName].spec.size;
    const sets = { a: await loadFaceset(folders.a, size, 'faces A'), b: await loadFaceset(folders.b, size, 'faces B') };
    for (const s of [sets.a, sets.b]) inputs.warnings?.skipped(s.skipped, s.folder, s.files.length + s.skipped.length);
    const cov = { a: sets.a.coverage ?? 0.625, b: sets.b.coverage ?? 0.625 };
    if (cov.a !== cov.b) {
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `Faces A were extracted with --coverage ${cov.a} and faces B with ${cov.b}; ` +
          'extract both with the same coverage.',
      );
    }
    const derived = derive(settings, cov.a);
    checkDerived(derived, stored, DERIVED_ADVICE);
    if ((settings.expressionWeight as number) > 0) checkExpressionFaces({ a: sets.a.faces, b: sets.b.faces });
    const faces = { a: shareFaces(sets.a.faces), b: shareFaces(sets.b.faces) };
    return { derived, data: { faces } satisfies PairData };
  },
  start(config, data, device): FamilyRun<TrainConfig, Record<Side, Batch>> {
    const { faces } = data as PairData;
    const size = config.size;
    const model: PairAutoencoder = createModel(config.model, { mask: config.mask });
    const modules: Record<string, NamedModule> = {
      model: { module: model, optimizer: { lr: config.lr, eps: config.eps, betas: [0.5, 0.99] } },
    };
    // the averaged weights make every output: 0.4-2.7 dB over the last step's from iteration 2,000 on
    // (docs/convergence.md)
    const ema = config.ema > 0 ? createModel(config.model, { mask: config.mask }) : undefined;
    if (ema) {
      ema.loadStateDict(model.stateDict());
      modules.ema = { module: ema, initFrom: 'model' };
    }
    const output = (ctx: StepContext<TrainConfig>) => (ctx.modules.ema ?? ctx.modules.model) as PairAutoencoder;
    if (config.gan) {
      for (const side of SIDES)
        modules[`disc_${side}`] = { module: new PatchDiscriminator(), optimizer: { lr: 2e-4, betas: [0.5, 0.999] } };
    }
    const expression =
      config.expressionWeight > 0
        ? new ExpressionLoss({ a: sharedFaceSources(faces.a), b: sharedFaceSources(faces.b) }, size)
        : undefined;
    if (expression) modules.probe = { module: expression.probe, optimizer: { lr: PROBE_LR }, optional: true };
    const sample: SampleOptions = {
      size,
      coverage: config.coverage,
      augment: config.augment,
      eyeWeight: config.eyeWeight,
      mouthWeight: config.mouthWeight,
      colourTransfer: config.colourTransfer,
      toLandmarks: config.warpToLandmarks && config.augment.warp > 0,
    };
    const fixed = { ...sample, augment: NO_AUGMENT };
    const previews = {
      a: previewBatch(sharedFaceSources(faces.a), PREVIEW_FACES, fixed),
      b: previewBatch(sharedFaceSources(faces.b), PREVIEW_FACES, fixed),
    };
    const loaderConfig = { faces, batchSize: config.batchSize, seed: config.seed, sample };
    const loader = new BatchLoader(loaderConfig, loaderWorkers(device));
    return {
      modules,
      batches: { get: (i) => loader.get(i), close: () => loader.close() },
      examplesPerIteration: 2 * config.batchSize,
      step: (ctx, batches, it) => {
        const expressing = expression && (!config.expressionUntil || it <= config.expressionUntil);
        const losses = pairStep(ctx, batches, it, expressing ? expression : undefined);
        if (ctx.modules.ema) updateEma(ctx.modules.ema, model, iterationEmaBeta(it, config.ema));
        return losses;
      },
      outputModule: ema ? 'ema' : 'model',
      score: (l) => (l.lossA! + l.lossB!) / 2,
      // the model's warm-up; every other part (judges, probe) keeps the lr it was declared with
      lr: (name, it) =>
        name !== 'model'
          ? modules[name]!.optimizer!.lr!
          : config.warmup > 0
            ? config.lr * Math.min(1, it / config.warmup)
            : config.lr,
      preview: (ctx) => ({
        columns: ['A', 'A>A', 'A>B', 'B', 'B>B', 'B>A'],
        gapAfter: 3,
        size,
        rows: previewCells(output(ctx), previews, ctx),
      }),
      evalTarget: (ctx, iteration) => ({
        model: output(ctx),
        iteration,
        geometry: {
          model: config.model as ModelName,
          mask: config.mask,
          size,
          modelCoverage: config.modelCoverage,
          extractCoverage: config.extractCoverage,
        },
      }),
    };
  },
};
