/**
 * Training measured as it goes (train --eval-every): the evaluator that train() calls every n iterations, made from
 * the eval settings, for a face swap (eval's four measures) or a StyleGAN (eval-gen's). The CLI and the dashboard
 * share it; train itself knows nothing of how a model is measured.
 */
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { OptionSchema } from '../core/options.js';
import type { Evaluator } from '../train/core/loop.js';
import { generatorEvaluator } from './gen-eval.js';
import { failingMeasures, swapEvaluator } from './targets.js';

export const TRAIN_EVAL_SCHEMA = {
  evalEvery: {
    type: 'int',
    help: 'measure the model with facegan eval every n iterations (0: never); figures go to log.jsonl',
    default: 0,
    min: 0,
  },
  evalInput: {
    path: true,
    type: 'string',
    help:
      'held-out frames of A (of B with --eval-swap) for --eval-every: ' +
      'an image, a folder or a video; StyleGAN: held-out faces',
  },
  evalSource: {
    path: true,
    type: 'string',
    help: 'faces of the person put in, for --eval-every (default: -B; -A with --eval-swap)',
  },
  evalSwap: { type: 'boolean', help: '--eval-every measures B->A: --eval-input shows B' },
  evalFilter: {
    path: true,
    type: 'list',
    help: "photos of the person to replace, when --eval-input shows others too: only this person's faces are measured",
  },
  evalFrames: {
    type: 'int',
    help: 'frames --eval-every measures (spread over the input); StyleGAN: samples',
    default: 24,
    min: 2,
  },
} as const satisfies OptionSchema;

export interface TrainEvalOptions {
  evalEvery?: number | undefined;
  evalInput?: string | undefined;
  evalSource?: string | undefined;
  evalSwap?: boolean | undefined;
  evalFilter?: string[] | undefined;
  evalFrames?: number | undefined;
  /** The training's folders: A and B for a swap; StyleGAN trains on A alone. */
  a: string;
  b?: string | undefined;
  modelDir: string;
  stylegan: boolean;
}

type EvalKey = keyof typeof TRAIN_EVAL_SCHEMA;
/** The settings of TRAIN_EVAL_SCHEMA, as given. */
export type GivenEvalOptions = Pick<TrainEvalOptions, EvalKey>;

/** Given settings split into the evaluator's (TRAIN_EVAL_SCHEMA's) and the rest, for train() itself. */
export function splitEvalOptions<T extends Partial<Record<EvalKey, unknown>>>(
  o: T,
): { evaluation: GivenEvalOptions; rest: Omit<T, EvalKey> } {
  const evaluation: Record<string, unknown> = {},
    rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) (Object.hasOwn(TRAIN_EVAL_SCHEMA, k) ? evaluation : rest)[k] = v;
  return { evaluation: evaluation as GivenEvalOptions, rest: rest as Omit<T, EvalKey> };
}

const f4 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(4));

/** One line of what an evaluation found (and, for a swap, the measures not yet passed). */
export function describeFigures(stylegan: boolean, swapped: boolean, f: Record<string, number>): string[] {
  if (stylegan)
    return [
      `detection ${f4(f.genDetection)} (real ${f4(f.realDetection)}), KID ${f4(f.genKid)} (PCA sampler ` +
        `${f4(f.pcaKid)}), FD ${f4(f.genFd)}, precision ${f4(f.genPrecision)}, recall ${f4(f.genRecall)}, ` +
        `memorisation ${f4(f.genMemorisation)}`,
    ];
  const failing = failingMeasures(f);
  return [
    `detection ${f.evalDetection ?? '-'}, retrieval ${f.evalRetrieval ?? '-'}, mouth correlation ` +
      `${f.evalMouthCorrelation?.toFixed(3) ?? '-'}, pose error ${f.evalPoseError?.toFixed(2) ?? '-'} deg, ` +
      `${swapped ? 'B->B' : 'A->A'} PSNR ${f.evalPsnr?.toFixed(2) ?? '-'} (template ` +
      `${f.evalTemplatePsnr?.toFixed(2) ?? '-'}, mean face ${f.evalBaselinePsnr?.toFixed(2) ?? '-'})`,
    failing.length ? `not yet a good swap: ${failing.join('; ')}` : 'all four swap measures pass',
  ];
}

/**
 * The evaluator for train's `evaluator` option, or undefined when --eval-every is 0. `onFigures` gets each
 * evaluation's figures (they also go to log.jsonl).
 */
export function trainEvaluator(
  o: TrainEvalOptions,
  onFigures?: (iteration: number, figures: Record<string, number>) => void,
): Evaluator | undefined {
  const every = o.evalEvery ?? 0;
  if (every <= 0) return undefined;
  if (!o.evalInput)
    throw new FaceganError(
      ErrorCodes.USAGE,
      '--eval-every needs --eval-input: held-out frames of A (a video, a folder or an image) to measure the swap on.',
    );
  const frames = o.evalFrames ?? TRAIN_EVAL_SCHEMA.evalFrames.default;
  if (o.stylegan)
    return generatorEvaluator({
      every,
      real: o.evalInput,
      training: o.a,
      samples: frames,
      ...(onFigures ? { onFigures } : {}),
    });
  if (!o.b) throw new FaceganError(ErrorCodes.USAGE, '--eval-every measures a face swap: it needs -A and -B.');
  return swapEvaluator({
    modelDir: o.modelDir,
    every,
    input: o.evalInput,
    source: o.evalSource ?? (o.evalSwap ? o.a : o.b),
    faces: o.evalSwap ? o.b : o.a,
    swap: !!o.evalSwap,
    ...(o.evalFilter?.length ? { filter: o.evalFilter } : {}),
    frames,
    ...(onFigures ? { onFigures } : {}),
  });
}
