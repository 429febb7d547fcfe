/**
 * The training loop every family runs on: batches in, one family step per iteration under the chosen precision,
 * the lr of each module from the family's schedule, and on their cadences the log, the preview, the evaluator and
 * checkpoints (with backup/ of the best and snapshots). Ctrl-C (the signal) stops after the current iteration and
 * always leaves a complete checkpoint.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { Adam, autocast, dispose, noGrad, tensor, tidy, type Device } from '../../engine/index.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import type { SwapModel } from '../../models/trained.js';
import type { StyleGenerator } from '../../models/stylegan/index.js';
import { writePreview } from '../write-preview.js';
import type { CoreConfig, FamilyRun, StepContext } from './family.js';
import type { LogEntry, TrainState } from './model-folder.js';
import { BEST_EVAL, ModelFolder } from './model-folder.js';
import { progressMeter, type OnProgress, type Progress } from '../../core/progress.js';

/** Progress of a training run, after each iteration. */
/**
 * train's progress: iterations done of the run's target, with the family's named losses at this iteration and
 * `examplesPerSecond` (images a second over both sides, recent average) as figures.
 */
export type TrainProgress = Progress;

/**
 * What an evaluator measures: a swap model (pair, CycleGAN), or a generator (StyleGAN) with its iteration and the
 * share of each face crop it was trained on.
 */
/**
 * A swap model, or a generator with the geometry of its images: the central `coverage` of crops whose mean-face box
 * spans `extractCoverage` (undefined when it was trained on plain images).
 */
export type EvalTarget =
  | SwapModel
  | { generator: StyleGenerator; iteration: number; coverage: number; extractCoverage?: number };

export interface Evaluator {
  every: number;
  run: (target: EvalTarget) => Promise<Record<string, number>>;
  /**
   * How good the evaluated model is (higher is better): the checkpoint of the best score so far is kept whole in
   * MODEL_DIR/best-eval/, so a run that trains past its best (expression-following that decays) loses nothing.
   */
  score?: (figures: Record<string, number>) => number;
}

export interface LoopOptions {
  signal?: AbortSignal;
  onProgress?: OnProgress;
  evaluator?: Evaluator;
}

export interface LoopResult {
  startIteration: number;
  iteration: number;
  losses: Record<string, number>;
  seconds: number;
  stopped: boolean;
}

/** Places a family's modules: loads a resumed folder's weights, moves them to the device, makes the optimizers. */
export function placeModules<C extends CoreConfig, B>(
  run: FamilyRun<C, B>,
  folder: ModelFolder,
  resumed: boolean,
  device: Device,
  config: C,
): StepContext<C> {
  const modules: StepContext<C>['modules'] = {},
    optimizers: StepContext<C>['optimizers'] = {};
  for (const [name, { module, optimizer, initFrom, optional }] of Object.entries(run.modules)) {
    module.to(device);
    modules[name] = module;
    if (optimizer) optimizers[name] = new Adam(module, optimizer);
    if (!resumed || (optional && !folder.hasModule(name))) continue;
    if (initFrom && !folder.hasModule(name)) module.loadStateDict(modules[initFrom]!.stateDict());
    else folder.loadModule(name, module, optimizers[name]);
  }
  if (resumed && run.state) {
    const saved = folder.readStepState();
    if (saved) {
      try {
        run.state.load(saved);
      } finally {
        dispose(saved);
      }
    }
  }
  const amp =
    config.precision === 'fp32'
      ? undefined
      : config.precision === 'bf16'
        ? ('bfloat16' as const)
        : ('float16' as const);
  const kind = device === 'cpu' ? 'cpu' : 'cuda';
  return {
    config,
    modules,
    optimizers,
    device,
    autocast: <T>(fn: () => T): T => (amp ? autocast(kind, amp, fn) : fn()),
    toDevice: (data, shape) => tidy(() => tensor(data, { shape }).to({ device })),
  };
}

/** Trains until config.iterations, the signal, or an error. */
export async function runLoop<C extends CoreConfig, B>(
  run: FamilyRun<C, B>,
  ctx: StepContext<C>,
  folder: ModelFolder,
  state: TrainState,
  o: LoopOptions,
): Promise<LoopResult> {
  const { config } = ctx;
  const startIteration = state.iteration;
  const progress = progressMeter('train', 'iterations', o.onProgress);
  // best-eval/ is copied after the checkpoint that records it: a kill between the two (or a state.json restored
  // from backup/) leaves a record the copy does not match; forget it, and the next evaluation makes a new copy
  if (state.bestEval && readIteration(join(folder.dir, BEST_EVAL)) !== state.bestEval.iteration)
    state.bestEval = undefined;
  let losses: Record<string, number> = {},
    sinceSave = { sum: 0, n: 0 },
    stopped = false;
  const rate: number[] = [];
  const setMode = (training: boolean) => Object.values(ctx.modules).forEach((m) => m.train(training));
  const checkpoint = () => {
    const mean = sinceSave.n ? sinceSave.sum / sinceSave.n : Infinity;
    const improved = sinceSave.n > 0 && (!state.best || mean < state.best.loss);
    if (improved) state.best = { loss: mean, iteration: state.iteration };
    const named = Object.fromEntries(
      Object.keys(ctx.modules).map((k) => [k, { module: ctx.modules[k]!, opt: ctx.optimizers[k] }]),
    );
    const stepState = run.state?.save();
    try {
      folder.save(named, state, config.model, stepState);
    } finally {
      if (stepState) dispose(stepState);
    }
    if (improved) folder.backup();
    if (config.snapshotEvery > 0 && state.iteration % config.snapshotEvery === 0)
      folder.snapshot(state.iteration, run.outputModule);
    sinceSave = { sum: 0, n: 0 };
  };
  const preview = async () => {
    mkdirSync(folder.paths.previews, { recursive: true });
    setMode(false);
    try {
      const cells = noGrad(() => run.preview(ctx));
      const frame = config.timelapse
        ? join(folder.paths.previews, `${String(state.iteration).padStart(7, '0')}.png`)
        : undefined;
      await writePreview(cells, join(folder.paths.previews, 'preview.png'), frame);
    } finally {
      setMode(true);
    }
  };
  const evaluate = async (it: number): Promise<Record<string, number> | undefined> => {
    if (!o.evaluator || it % o.evaluator.every !== 0) return undefined;
    setMode(false);
    try {
      const target = run.evalTarget?.(ctx, it);
      return target ? await o.evaluator.run(target) : undefined;
    } finally {
      setMode(true);
    }
  };

  try {
    while (state.iteration < config.iterations) {
      if (o.signal?.aborted) {
        stopped = true;
        break;
      }
      // The batches are usually ready, and awaiting a settled promise never returns to the event loop: without this
      // turn, Ctrl-C (and anything else queued there) would go unseen until training ended.
      await setImmediate();
      const t0 = performance.now();
      const batch = await run.batches.get(state.iteration);
      const it = state.iteration + 1;
      for (const [name, opt] of Object.entries(ctx.optimizers)) opt.lr = run.lr(name, it);
      losses = tidy(() => run.step(ctx, batch, it));
      state.iteration = it;
      const dt = (performance.now() - t0) / 1000;
      state.seconds += dt;
      rate.push(dt);
      if (rate.length > 20) rate.shift();
      const bad = Object.entries(losses).find(([, v]) => !Number.isFinite(v));
      if (bad) {
        throw new FaceganError(
          ErrorCodes.ENGINE,
          `The loss ${bad[0]} became ${bad[1]} at iteration ${it}: training diverged. ` +
            'Resume from the last checkpoint with a lower --lr (or --precision fp32).',
        );
      }
      sinceSave.sum += run.score(losses);
      sinceSave.n++;
      const eps = (run.examplesPerIteration * rate.length) / rate.reduce((s, x) => s + x, 0);
      const figures = await evaluate(it);
      const score = figures && o.evaluator?.score?.(figures);
      const bestEval =
        score !== undefined && Number.isFinite(score) && (!state.bestEval || score > state.bestEval.score);
      if (it % config.logEvery === 0 || figures) {
        const entry: LogEntry = {
          iteration: it,
          seconds: Math.round(state.seconds * 10) / 10,
          ...losses,
          examplesPerSecond: Math.round(eps * 10) / 10,
          ...figures,
        };
        folder.appendLog(entry);
      }
      if (it % config.previewEvery === 0) await preview();
      if (bestEval) state.bestEval = { score: score!, iteration: it };
      if (bestEval || it % config.saveEvery === 0 || (config.snapshotEvery > 0 && it % config.snapshotEvery === 0)) {
        checkpoint();
      }
      if (bestEval) folder.backup(join(folder.dir, BEST_EVAL));
      progress(it, config.iterations, { ...losses, examplesPerSecond: eps });
    }
    if (state.iteration > startIteration && state.iteration % config.saveEvery !== 0) {
      checkpoint();
      await preview();
    }
  } finally {
    await run.batches.close();
    for (const m of Object.values(ctx.modules)) m.dispose();
    for (const opt of Object.values(ctx.optimizers)) opt.dispose();
    run.state?.dispose();
    run.dispose?.();
  }
  return { startIteration, iteration: state.iteration, losses, seconds: state.seconds, stopped };
}

/** The iteration of the checkpoint copied in `dir` (undefined when there is none, or it cannot be read). */
function readIteration(dir: string): number | undefined {
  try {
    return new ModelFolder(dir).readState().iteration;
  } catch {
    return undefined;
  }
}
