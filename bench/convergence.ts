/**
 * npm run bench -- convergence: minutes until a good swap. Trains the default model on two shared people (GRID s1 ->
 * s2 by default) with every core, evaluates every --eval-every iterations, and stops at the first evaluation that
 * passes all four swap measures (src/eval/targets.ts), after --minutes of training or at --iterations. One JSON
 * line: the iteration and training minutes of the first pass (null when none), the figures there (or at the last
 * evaluation), and every evaluation of the run (a resumed one's too, from log.jsonl) as one row each.
 * Give it the machine: nothing else heavy beside it.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { extract } from '../src/extract/extract.js';
import { train } from '../src/train/trainer.js';
import { failingMeasures, swapEvaluator, SWAP_TARGETS, type SwapFigures } from '../src/eval/targets.js';
import { MODEL_NAMES } from '../src/models/registry.js';
import { hasFastBf16, numThreads } from '../src/engine/index.js';
import { ModelFolder, type LogEntry } from '../src/train/core/model-folder.js';
import { framesOf } from './util.js';

export const convergenceOptions = {
  a: { type: 'string', help: 'person A: a folder under shared/data/faces, or a folder of frames', default: 'grid_s1' },
  b: { type: 'string', help: 'person B: a folder under shared/data/faces, or a folder of frames', default: 'grid_s2' },
  aFilter: { type: 'string', help: "extract --filter for A's frames (a photo of A: others in them are left out)" },
  bFilter: { type: 'string', help: "extract --filter for B's frames" },
  model: { type: 'string', help: 'the model trained', default: 'lightweight', choices: MODEL_NAMES },
  precision: {
    type: 'string',
    help: 'facegan train --precision',
    default: 'auto',
    choices: ['auto', 'fp32', 'bf16'] as const,
  },
  lr: { type: 'number', help: "train --lr (default: the model's)", min: 1e-7, max: 1 },
  batch: { type: 'int', help: "train --batch-size (default: the model's)", min: 1 },
  warmup: { type: 'int', help: 'train --warmup (iterations)', min: 0 },
  loss: { type: 'string', help: "train --loss, as terms name[:weight] joined by commas (default: the model's)" },
  mouthWeight: { type: 'number', help: "train --mouth-weight (default: the model's)", min: 1, max: 20 },
  colourTransfer: { type: 'number', help: 'train --colour-transfer (default 0)', min: 0, max: 1 },
  cycleWeight: { type: 'number', help: 'train --cycle-weight (default 0)', min: 0, max: 100 },
  expressionWeight: { type: 'number', help: 'train --expression-weight (default 0)', min: 0, max: 100 },
  expressionUntil: { type: 'int', help: 'train --expression-until (default 0: to the end)', min: 0 },
  expressionEvery: { type: 'int', help: 'train --expression-every (default 1)', min: 1, max: 16 },
  seed: { type: 'int', help: 'train --seed (default 0): a second seed tells a lever from the noise', min: 0 },
  augment: { type: 'boolean', help: 'train --augment (--no-augment: faces as they are)', default: true },
  loadWeights: { type: 'string', help: 'train --load-weights: start from parts of this trained model' },
  loadParts: { type: 'string', help: 'train --load-parts, comma-separated (default: the encoder)' },
  evalEvery: { type: 'int', help: 'iterations between evaluations', default: 500, min: 10 },
  evalFrames: { type: 'int', help: 'frames of A each evaluation swaps', default: 24, min: 4 },
  minutes: { type: 'number', help: 'give up after this many minutes of training', default: 60, min: 0.1 },
  iterations: {
    type: 'int',
    help: 'stop at this iteration (a resumed run counts on): to branch a run, e.g. resume it with another --lr',
    min: 1,
  },
  work: { type: 'string', help: 'folder for the faces and the model (default: a new temporary folder)' },
} as const;

export async function benchConvergence(o: {
  a: string;
  b: string;
  aFilter?: string;
  bFilter?: string;
  model: string;
  precision: string;
  lr?: number;
  batch?: number;
  warmup?: number;
  loss?: string;
  mouthWeight?: number;
  colourTransfer?: number;
  cycleWeight?: number;
  expressionWeight?: number;
  expressionUntil?: number;
  expressionEvery?: number;
  seed?: number;
  augment: boolean;
  loadWeights?: string;
  loadParts?: string;
  evalEvery: number;
  evalFrames: number;
  minutes: number;
  iterations?: number;
  work?: string;
}): Promise<Record<string, unknown>> {
  const work = o.work ?? mkdtempSync(join(tmpdir(), 'facegan-convergence-'));
  const faces = async (person: string, filter: string | undefined) => {
    const input = framesOf(person),
      name = basename(input);
    const out = join(work, `faces_${name}`);
    if (!existsSync(out) || !readdirSync(out).length) {
      await extract({
        input,
        output: out,
        alignments: join(work, `${name}.alignments.json`),
        filter: filter ? [resolve(filter)] : undefined,
      });
    }
    return { out, name };
  };
  const [fa, fb] = [await faces(o.a, o.aFilter), await faces(o.b, o.bFilter)];
  const [a, b] = [fa.out, fb.out];
  const parts = o.loadParts?.replaceAll(',', '-').replaceAll(':', '-as-') ?? 'encoder';
  const lent = o.loadWeights ? `_from-${basename(resolve(o.loadWeights))}-${parts}` : '';
  const modelDir = join(
    work,
    `model_${fa.name}_${fb.name}_${o.model}_${o.precision}_lr${o.lr ?? 'default'}_b${o.batch ?? 'default'}` +
      `${o.warmup ? `_warmup${o.warmup}` : ''}${o.loss ? `_loss${o.loss.replaceAll(/[,:]/g, '-')}` : ''}` +
      `${o.mouthWeight ? `_mouth${o.mouthWeight}` : ''}` +
      `${o.colourTransfer ? `_ct${o.colourTransfer}` : ''}${o.cycleWeight ? `_cycle${o.cycleWeight}` : ''}` +
      `${o.expressionWeight ? `_expr${o.expressionWeight}` : ''}` +
      `${o.expressionUntil ? `_until${o.expressionUntil}` : ''}` +
      `${o.expressionEvery ? `_every${o.expressionEvery}` : ''}` +
      `${o.seed ? `_seed${o.seed}` : ''}` +
      `${o.augment ? '' : '_noaugment'}${lent}`,
  );
  const stop = new AbortController();
  let first: { iteration: number; figures: Record<string, number> } | undefined;
  let last: { iteration: number; figures: Record<string, number> } | undefined;
  const evaluator = swapEvaluator({
    modelDir,
    every: o.evalEvery,
    input: framesOf(o.a),
    source: b,
    faces: a,
    // the frames of A show others too where A was extracted with a filter: measure A's faces alone
    ...(o.aFilter ? { filter: [resolve(o.aFilter)] } : {}),
    frames: o.evalFrames,
    onFigures: (iteration, figures) => {
      last = { iteration, figures };
      const { evalMouthReconstruction: rebuilt, evalMouthCeiling: ceiling } = figures;
      const mouth =
        ceiling === undefined ? '' : ` (mouth: A->A ${rebuilt?.toFixed(3) ?? '-'}, ceiling ${ceiling.toFixed(3)})`;
      process.stderr.write(`eval at ${iteration}: ${failingMeasures(figures).join('; ') || 'all four pass'}${mouth}\n`);
      if (!failingMeasures(figures).length) {
        first = { iteration, figures };
        stop.abort();
      }
    },
  });
  const started = performance.now();
  const s = await train({
    a,
    b,
    modelDir,
    model: o.model as never,
    precision: o.precision as never,
    lr: o.lr,
    batchSize: o.batch,
    warmup: o.warmup,
    loss: o.loss?.split(','),
    mouthWeight: o.mouthWeight,
    colourTransfer: o.colourTransfer,
    cycleWeight: o.cycleWeight,
    expressionWeight: o.expressionWeight,
    expressionUntil: o.expressionUntil,
    expressionEvery: o.expressionEvery,
    seed: o.seed,
    augment: o.augment,
    loadWeights: o.loadWeights,
    loadParts: o.loadParts?.split(','),
    iterations: o.iterations ?? 1_000_000,
    evaluator,
    signal: stop.signal,
    saveEvery: o.evalEvery,
    onProgress: (p) => {
      // the cap is on wall time (evaluations included); the figure reported is the training loop's own clock
      if ((performance.now() - started) / 60_000 > o.minutes) stop.abort();
      if (p.done % 100 === 0)
        process.stderr.write(`iteration ${p.done}, ${p.figures.examplesPerSecond!.toFixed(1)} faces/s\n`);
    },
  });
  const log = new ModelFolder(modelDir).readLog();
  const evaluations = log.filter((e) => e.evalPsnr !== undefined).map(evaluationRow);
  const seconds = log.find((e) => e.iteration === first?.iteration)?.seconds ?? s.seconds;
  return {
    bench: 'convergence',
    pair: `${fa.name}->${fb.name}`,
    model: s.config.model,
    precision: o.precision,
    lr: s.config.lr,
    batch: s.config.batchSize,
    warmup: s.config.warmup,
    loss: (s.config as { loss?: unknown }).loss,
    mouthWeight: (s.config as { mouthWeight?: number }).mouthWeight,
    colourTransfer: (s.config as { colourTransfer?: number }).colourTransfer,
    cycleWeight: (s.config as { cycleWeight?: number }).cycleWeight,
    expressionWeight: (s.config as { expressionWeight?: number }).expressionWeight,
    expressionUntil: (s.config as { expressionUntil?: number }).expressionUntil,
    expressionEvery: (s.config as { expressionEvery?: number }).expressionEvery,
    seed: s.config.seed,
    augmented: o.augment,
    pretrained: s.pretrained ?? null,
    ranPrecision: o.precision === 'auto' ? (hasFastBf16('cpu') ? 'bf16' : 'fp32') : o.precision,
    threads: numThreads(),
    evalEvery: o.evalEvery,
    targets: SWAP_TARGETS,
    passed: !!first,
    iteration: first?.iteration ?? null,
    minutes: first ? +(seconds / 60).toFixed(1) : null,
    trainedMinutes: +(s.seconds / 60).toFixed(1),
    figures: (first ?? last)?.figures ?? null,
    evaluations,
    modelDir,
  };
}

const round = (v: unknown) => (typeof v === 'number' ? +v.toFixed(3) : null);

/** One evaluation of log.jsonl as the table of the docs shows it: the four measures beside their references. */
function evaluationRow(e: LogEntry) {
  return {
    iteration: e.iteration,
    minutes: round(e.seconds / 60),
    detection: round(e.evalDetection),
    inputDetection: round(e.evalInputDetection),
    retrievalUnder: round(e.evalRetrievalUnder),
    mouth: round(e.evalMouthCorrelation),
    mouthReconstruction: round(e.evalMouthReconstruction),
    mouthCeiling: round(e.evalMouthCeiling),
    psnr: round(e.evalPsnr),
    templatePsnr: round(e.evalTemplatePsnr),
    passes: failingMeasures(e as SwapFigures).length === 0,
  };
}
