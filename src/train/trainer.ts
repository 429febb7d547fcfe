/**
 * facegan train: a pair model on two folders of extracted faces. Each iteration trains A and B through the
 * shared encoder and their own decoders (and, with --gan, against a PatchGAN discriminator per side); previews,
 * the loss log and checkpoints are written as it goes; a folder that holds a model resumes where it stopped.
 */
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { join } from 'node:path';
import {
  Adam, Tensor, tensor, tidy, autocast, manualSeed, resolveDevice, clipGradNorm, mseLoss, type Device,
} from '../engine/index.js';
import { createModel, models, isModelName, type ModelName } from '../models/registry.js';
import type { SwapModel } from '../models/trained.js';
import type { PairAutoencoder } from '../models/autoencoder.js';
import { PatchDiscriminator } from '../models/patchgan.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { AUGMENT_DEFAULTS, NO_AUGMENT, type SampleOptions } from './augment.js';
import { loadFaceset, type Faceset } from './faceset.js';
import { previewBatch, type Batch, type Side } from './batches.js';
import { BatchLoader } from './loader.js';
import { parseLossSpec, reconstructionLoss, type LossSpec } from './losses.js';
import { FIXED, FIXED_DEFAULTS, TRAIN_SCHEMA, type TrainConfig } from './config.js';
import { defined, type Parsed } from '../core/options.js';
import { ModelFolder, type LogEntry, type TrainState } from './model-folder.js';
import { writePreview } from './write-preview.js';

/** Settings as given (CLI flags or API options); anything left out takes the folder's value or the default. */
type Given = { [K in keyof Parsed<typeof TRAIN_SCHEMA>]?: Parsed<typeof TRAIN_SCHEMA>[K] };

export interface TrainOptions extends Given {
  /** Folder of extracted faces of A (the face to replace). */
  a: string;
  /** Folder of extracted faces of B (the face to put in). */
  b: string;
  /** Model folder: made if new, resumed if it holds a model. */
  modelDir: string;
  /** Called after every iteration. */
  onProgress?: (p: TrainProgress) => void;
  /** Stops after the current iteration; a checkpoint is written first. */
  signal?: AbortSignal;
  /** Faces in the preview grid. */
  previewFaces?: number;
  /**
   * Measures the model every `every` iterations (train --eval-every: the CLI passes eval's figures in; train knows
   * nothing of how). The figures are appended to log.jsonl with that iteration's losses.
   */
  evaluator?: { every: number; run: (model: SwapModel) => Promise<Record<string, number>> };
}

export interface TrainProgress {
  iteration: number;
  iterations: number;
  lossA: number;
  lossB: number;
  /** Faces per second over both sides, recent average. */
  examplesPerSecond: number;
}

export interface TrainSummary {
  modelDir: string;
  config: TrainConfig;
  /** The iteration it started from (0 for a new model). */
  startIteration: number;
  iteration: number;
  lossA: number;
  lossB: number;
  seconds: number;
  stopped: boolean;
}

/** The resolved settings: defaults, then the folder's fixed settings, then what was given (checked against them). */
export function resolveConfig(given: Given, stored: TrainConfig | undefined, extractCoverage: number): TrainConfig {
  const g = defined(given) as Record<string, unknown>;
  if (stored) {
    for (const key of FIXED) {
      const want = key === 'loss' && g.loss ? parseLossSpec(g.loss as string[]) : g[key];
      if (want !== undefined && JSON.stringify(want) !== JSON.stringify(stored[key])) {
        throw new FaceganError(ErrorCodes.BAD_MODEL,
          `This model folder was made with --${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${JSON.stringify(stored[key])}; it cannot change to ${JSON.stringify(want)}. Leave it out to resume, or train into a new folder.`);
      }
    }
  }
  const defaults = Object.fromEntries(Object.entries(TRAIN_SCHEMA).filter(([, s]) => 'default' in s).map(([k, s]) => [k, (s as { default: unknown }).default]));
  const fixed = stored ? Object.fromEntries(FIXED.map((k) => [k, stored[k]])) : { ...FIXED_DEFAULTS, ...Object.fromEntries(FIXED.filter((k) => g[k] !== undefined).map((k) => [k, g[k]])) };
  const model = fixed.model as string;
  if (!isModelName(model)) throw new FaceganError(ErrorCodes.BAD_MODEL, `Unknown model "${model}" in the model folder.`);
  const coverage = fixed.coverage as number;
  const settings = (o: object) => Object.fromEntries(Object.entries(o).filter(([k]) => k in TRAIN_SCHEMA));
  const config = {
    ...defaults, ...settings(stored ?? {}), ...settings(g), ...fixed,
    loss: stored ? stored.loss : parseLossSpec(fixed.loss as unknown as string[]),
    size: models[model].spec.size, extractCoverage, modelCoverage: extractCoverage / coverage,
    augment: g.augment === false ? NO_AUGMENT : g.augment === true ? AUGMENT_DEFAULTS : stored?.augment ?? AUGMENT_DEFAULTS,
  } as TrainConfig;
  if (stored && stored.extractCoverage !== extractCoverage) {
    throw new FaceganError(ErrorCodes.BAD_MODEL, `These faces were extracted with --coverage ${extractCoverage}; the model was trained on ${stored.extractCoverage}. Extract them again with --coverage ${stored.extractCoverage}.`);
  }
  return config;
}

const toTensor = (data: Float32Array, shape: number[], device: Device) => tidy(() => tensor(data, { shape }).to({ device }));

interface SideTensors { input: Tensor; target: Tensor; weights: Tensor; mask: Tensor }

function batchTensors(b: Batch, size: number, device: Device): SideTensors {
  const n = b.faces.length;
  return {
    input: toTensor(b.input, [n, 3, size, size], device), target: toTensor(b.target, [n, 3, size, size], device),
    weights: toTensor(b.weights, [n, 1, size, size], device), mask: toTensor(b.mask, [n, 1, size, size], device),
  };
}

/** Trains until `iterations`, the signal, or an error; always leaves a complete checkpoint. */
export async function train(options: TrainOptions): Promise<TrainSummary> {
  const folders = { a: resolve(options.a), b: resolve(options.b) };
  if (folders.a === folders.b) throw new FaceganError(ErrorCodes.USAGE, 'A and B are the same folder: give the faces of two different people.');
  const folder = new ModelFolder(resolve(options.modelDir));
  const stored = folder.exists() ? folder.readConfig() : undefined;
  const state: TrainState = stored ? folder.readState() : { iteration: 0, seconds: 0 };
  const modelName = (stored?.model ?? options.model ?? FIXED_DEFAULTS.model) as string;
  if (!isModelName(modelName)) throw new FaceganError(ErrorCodes.BAD_MODEL, `Unknown model "${modelName}".`);
  const size = models[modelName].spec.size;
  const sets: Record<Side, Faceset> = { a: await loadFaceset(folders.a, size, 'faces A'), b: await loadFaceset(folders.b, size, 'faces B') };
  const cov = { a: sets.a.coverage ?? 0.625, b: sets.b.coverage ?? 0.625 };
  if (cov.a !== cov.b) {
    throw new FaceganError(ErrorCodes.BAD_FILE, `Faces A were extracted with --coverage ${cov.a} and faces B with ${cov.b}; extract both with the same coverage.`);
  }
  const config = resolveConfig(options, stored, cov.a);
  const lossSpec = config.loss as LossSpec;
  const device = resolveDevice(config.device);
  if (!stored) folder.create(config);
  else folder.writeConfig(config);
  folder.trimLog(state.iteration);

  manualSeed(config.seed);
  const model: PairAutoencoder = createModel(config.model, { mask: config.mask });
  if (stored) folder.loadWeights(model);
  model.to(device);
  const opt = new Adam(model, { lr: config.lr, eps: config.eps, betas: [0.5, 0.99] });
  if (stored) folder.loadOptimizer(opt);
  const disc = config.gan ? { a: new PatchDiscriminator().to(device), b: new PatchDiscriminator().to(device) } : undefined;
  const discOpts = disc ? { a: new Adam(disc.a, { lr: 2e-4, betas: [0.5, 0.999] }), b: new Adam(disc.b, { lr: 2e-4, betas: [0.5, 0.999] }) } : undefined;
  if (disc && discOpts && stored) {
    for (const side of ['a', 'b'] as const) {
      const path = join(folder.dir, `disc_${side}.safetensors`);
      folder.loadWeights(disc[side], path);
      folder.loadOptimizer(discOpts[side], join(folder.dir, `disc_${side}-optimizer.safetensors`));
    }
  }

  const sample: SampleOptions = { size, coverage: config.coverage, augment: config.augment, eyeWeight: config.eyeWeight, mouthWeight: config.mouthWeight, toLandmarks: config.warpToLandmarks && config.augment.warp > 0 };
  const previewCount = options.previewFaces ?? 4;
  const previews = { a: previewBatch(sets.a.faces, previewCount, { ...sample, augment: NO_AUGMENT }), b: previewBatch(sets.b.faces, previewCount, { ...sample, augment: NO_AUGMENT }) };
  const loader = new BatchLoader({ folders, minSide: size, batchSize: config.batchSize, seed: config.seed, sample });
  const amp = config.precision === 'fp32' ? undefined : config.precision === 'bf16' ? 'bfloat16' as const : 'float16' as const;
  const forward = (x: Tensor, side: Side): Tensor => {
    if (!amp) return model.forward(x, side);
    return tidy(() => autocast(device === 'cpu' ? 'cpu' : 'cuda', amp, () => model.forward(x, side)).to('float32'));
  };
  const extra: Record<string, { module: PatchDiscriminator; opt: Adam }> = disc && discOpts ? { disc_a: { module: disc.a, opt: discOpts.a }, disc_b: { module: disc.b, opt: discOpts.b } } : {};
  const startIteration = state.iteration;
  let last = { a: NaN, b: NaN }, sinceSave = { sum: 0, n: 0 }, stopped = false;
  const rate: number[] = [];
  const checkpoint = () => {
    const mean = sinceSave.n ? sinceSave.sum / sinceSave.n : Infinity;
    const improved = sinceSave.n > 0 && (!state.best || mean < state.best.loss);
    if (improved) state.best = { loss: mean, iteration: state.iteration };
    folder.save(model, opt, state, config, extra);
    if (improved) folder.backup();
    if (config.snapshotEvery > 0 && state.iteration % config.snapshotEvery === 0) folder.snapshot(state.iteration);
    sinceSave = { sum: 0, n: 0 };
  };
  const preview = async () => {
    mkdirSync(folder.paths.previews, { recursive: true });
    await writePreview(model, previews, size, device, join(folder.paths.previews, 'preview.png'),
      config.timelapse ? join(folder.paths.previews, `${String(state.iteration).padStart(7, '0')}.png`) : undefined);
  };

  try {
    while (state.iteration < config.iterations) {
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      // The batches are usually ready, and awaiting a settled promise never returns to the event loop: without this
      // turn, Ctrl-C (and anything else queued there) would go unseen until training ended.
      await setImmediate();
      const t0 = performance.now();
      const batches = await loader.get(state.iteration);
      const it = state.iteration + 1;
      opt.lr = config.warmup > 0 ? config.lr * Math.min(1, it / config.warmup) : config.lr;
      const losses = tidy(() => {
        const t = { a: batchTensors(batches.a, size, device), b: batchTensors(batches.b, size, device) };
        opt.zeroGrad();
        const out: Record<Side, Tensor> = { a: forward(t.a.input, 'a'), b: forward(t.b.input, 'b') };
        const values: Record<string, Tensor> = {};
        let total: Tensor | undefined;
        for (const side of ['a', 'b'] as const) {
          const y = out[side], face = config.mask ? y.narrow(1, 0, 3) : y;
          const weights = config.mask ? t[side].weights.mul(t[side].mask) : t[side].weights;
          let l = reconstructionLoss(face, t[side].target, weights, lossSpec);
          if (config.mask) l = l.add(mseLoss(y.narrow(1, 3, 1), t[side].mask));
          values[side] = l;
          if (disc) l = l.add(disc[side].forward(face).sub(1).square().mean().mul(config.ganWeight)); // LSGAN: fool the judge
          total = total ? total.add(l) : l;
        }
        total!.backward();
        if (config.clip > 0) clipGradNorm(model, config.clip);
        opt.step();
        if (disc && discOpts) {
          for (const side of ['a', 'b'] as const) {
            discOpts[side].zeroGrad();
            const fake = (config.mask ? out[side].narrow(1, 0, 3) : out[side]).detach();
            const d = disc[side].forward(t[side].target).sub(1).square().mean().add(disc[side].forward(fake).square().mean()).mul(0.5);
            d.backward();
            discOpts[side].step();
            values[`d${side}`] = d;
          }
        }
        return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.item()]));
      });
      state.iteration = it;
      const dt = (performance.now() - t0) / 1000;
      state.seconds += dt;
      rate.push(dt);
      if (rate.length > 20) rate.shift();
      last = { a: losses.a!, b: losses.b! };
      if (!Number.isFinite(last.a) || !Number.isFinite(last.b)) {
        throw new FaceganError(ErrorCodes.ENGINE, `The loss became ${last.a} / ${last.b} at iteration ${it}: training diverged. Resume from the last checkpoint with a lower --lr, --clip 1, or --precision fp32.`);
      }
      sinceSave.sum += (last.a + last.b) / 2;
      sinceSave.n++;
      const eps = (2 * config.batchSize * rate.length) / rate.reduce((s, x) => s + x, 0);
      let figures: Record<string, number> | undefined;
      if (options.evaluator && it % options.evaluator.every === 0) {
        model.eval();
        const geometry = { model: config.model as ModelName, mask: config.mask, size, modelCoverage: config.modelCoverage, extractCoverage: config.extractCoverage };
        figures = await options.evaluator.run({ model, geometry, iteration: it });
        model.train();
      }
      if (it % config.logEvery === 0 || figures) {
        const entry: LogEntry = { iteration: it, seconds: Math.round(state.seconds * 10) / 10, lossA: last.a, lossB: last.b, examplesPerSecond: Math.round(eps * 10) / 10, ...figures };
        if (disc) Object.assign(entry, { discA: losses.da!, discB: losses.db! });
        folder.appendLog(entry);
      }
      if (it % config.previewEvery === 0) await preview();

      if (it % config.saveEvery === 0 || (config.snapshotEvery > 0 && it % config.snapshotEvery === 0)) checkpoint();
      options.onProgress?.({ iteration: it, iterations: config.iterations, lossA: last.a, lossB: last.b, examplesPerSecond: eps });
    }
    if (state.iteration > startIteration && state.iteration % config.saveEvery !== 0) {
      checkpoint();
      await preview();
    }
  } finally {
    await loader.close();
    model.dispose();
    opt.dispose();
    if (disc && discOpts) for (const side of ['a', 'b'] as const) (disc[side].dispose(), discOpts[side].dispose());
  }
  return { modelDir: folder.dir, config, startIteration, iteration: state.iteration, lossA: last.a, lossB: last.b, seconds: state.seconds, stopped };
}
