/**
 * When is a swap good? The four measures a face-swap model must pass together (detection, identity retrieval,
 * mouth-following and reconstruction), as train --eval-every checks them on each evaluation, and the first
 * iteration of a run at which they all did. One declaration: the CLI, the convergence bench and the docs use it.
 */
import { join, resolve } from 'node:path';
import { evaluate } from './eval.js';
import type { EvalReport } from './report.js';
import type { Evaluator } from '../train/core/loop.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

/** The thresholds: a swap is good when each of the four holds. */
export const SWAP_TARGETS = {
  /**
   * Share of swapped faces a second detector finds, against the share of the input faces it finds (1 when not
   * measured): a face half out of the frame or under a helmet is missed in the input too, and no swap can be asked to
   * do better than the real face.
   */
  detection: 0.9,
  /** Share of swapped faces whose nearest identity is the source, under the same-person distance. */
  retrieval: 0.9,
  /** Correlation of the mouth's opening between input and output over the frames (a template scores near 0). */
  mouthCorrelation: 0.8,
} as const;

/** The figures train's evaluator logs (a subset of the names in log.jsonl). */
export interface SwapFigures {
  evalDetection?: number;
  /** The share of the input faces the same detector finds. */
  evalInputDetection?: number;
  evalRetrievalUnder?: number;
  evalMouthCorrelation?: number;
  evalPsnr?: number;
  evalBaselinePsnr?: number;
  /** The template baseline (the mean of the training faces); the one the swap must beat, when measured. */
  evalTemplatePsnr?: number;
}

/** Which of the four measures fail (empty when the swap passes them all); a figure not measured fails. */
export function failingMeasures(f: SwapFigures): string[] {
  const failing: string[] = [];
  const detection = SWAP_TARGETS.detection * (f.evalInputDetection ?? 1);
  if (!((f.evalDetection ?? -1) >= detection - 1e-9)) {
    const of =
      f.evalInputDetection === undefined
        ? ''
        : ` (${SWAP_TARGETS.detection} of the input's ${f.evalInputDetection.toFixed(3)})`;
    failing.push(`detection ${f.evalDetection?.toFixed(3) ?? '-'} < ${+detection.toFixed(3)}${of}`);
  }
  if (!((f.evalRetrievalUnder ?? -1) >= SWAP_TARGETS.retrieval)) {
    failing.push(`retrieval ${f.evalRetrievalUnder ?? '-'} < ${SWAP_TARGETS.retrieval}`);
  }
  if (!((f.evalMouthCorrelation ?? -2) >= SWAP_TARGETS.mouthCorrelation)) {
    failing.push(`mouth correlation ${f.evalMouthCorrelation?.toFixed(3) ?? '-'} < ${SWAP_TARGETS.mouthCorrelation}`);
  }
  // beat a template of the person: the mean of the training faces when measured, else the mean of these faces
  const base = f.evalTemplatePsnr ?? f.evalBaselinePsnr,
    which = f.evalTemplatePsnr !== undefined ? 'template' : 'mean face';
  if (!(f.evalPsnr !== undefined && base !== undefined && f.evalPsnr > base)) {
    failing.push(`reconstruction ${f.evalPsnr?.toFixed(2) ?? '-'} dB <= ${which} ${base?.toFixed(2) ?? '-'} dB`);
  }
  return failing;
}

/** The first logged evaluation at which all four measures passed: its iteration and training time, if any. */
export function firstPass(
  log: readonly (SwapFigures & { iteration: number; seconds: number })[],
): { iteration: number; seconds: number } | undefined {
  const hit = log.find((e) => e.evalDetection !== undefined && failingMeasures(e).length === 0);
  return hit && { iteration: hit.iteration, seconds: hit.seconds };
}

/**
 * How good a swap is, as one number for keeping the best checkpoint (higher is better): the measures it passes
 * first, then how well it follows the mouth, then how far its reconstruction beats the template.
 */
export function swapScore(f: SwapFigures): number {
  const passing = 4 - failingMeasures(f).length;
  const margin = (f.evalPsnr ?? 0) - (f.evalTemplatePsnr ?? f.evalBaselinePsnr ?? Infinity);
  return passing * 10 + (f.evalMouthCorrelation ?? -1) + Math.max(-1, Math.min(1, margin / 10));
}

/** The eval figures train logs, flat and numeric (log.jsonl's entries are). */
export function evalFigures(r: EvalReport): Record<string, number> {
  const all: Record<string, number | null | undefined> = {
    evalDetection: r.detection.rate,
    evalInputDetection: r.detection.inputRate,
    evalRetrieval: r.identity.retrieval,
    evalRetrievalUnder: r.identity.retrievalUnderThreshold,
    evalDistanceToSource: r.identity.distanceToSource,
    evalPoseError: r.pose?.mean,
    evalExpressionError: r.expression?.error,
    evalMouthCorrelation: r.expression?.mouthCorrelation,
    evalMouthReconstruction: r.expression?.mouthReconstruction,
    evalMouthCeiling: r.expression?.mouthCeiling,
    evalPsnr: r.reconstruction.input?.psnr,
    evalBaselinePsnr: r.reconstruction.input?.baseline.psnr,
    evalTemplatePsnr: r.reconstruction.input?.template?.psnr,
    evalCyclePsnr: r.reconstruction.cycle?.psnr,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/**
 * train's evaluator for a face swap: every `every` iterations, eval on `frames` frames spread over `input` (held-out
 * frames of A; of B with `swap`), the report in MODEL_DIR/eval/training/, and the figures to the log.
 */
export function swapEvaluator(o: {
  modelDir: string;
  every: number;
  input: string;
  source: string;
  faces?: string;
  swap?: boolean;
  /** Photos of the input's person, when its frames show others too (eval --filter). */
  filter?: string[];
  frames?: number;
  onFigures?: (iteration: number, figures: Record<string, number>) => void;
}): Evaluator {
  return {
    every: o.every,
    score: swapScore,
    run: async (model) => {
      if ('generator' in model)
        throw new FaceganError(ErrorCodes.USAGE, '--eval-input measures swaps; a generator is measured by eval-gen.');
      const { report } = await evaluate({
        modelDir: o.modelDir,
        model,
        input: o.input,
        source: o.source,
        faces: o.faces,
        swap: o.swap,
        filter: o.filter,
        maxFrames: o.frames,
        spread: true,
        maxFaces: 32,
        output: join(resolve(o.modelDir), 'eval', 'training'),
      });
      const f = evalFigures(report);
      o.onFigures?.(model.iteration, f);
      return f;
    },
  };
}
