/**
 * Starting a new model from parts of a trained one (train --load-weights, as faceswap's option of that name and
 * DeepFaceLab's reuse of a trained model): the family names which parts another folder of the same model may lend
 * (the pair models: the shared encoder, and either decoder), the core copies them in before the first step. The
 * lent weights are the ones the trained model makes its outputs with (its averaged weights where it keeps them).
 */
import { dispose, loadSafetensors, type Tensor } from '../../engine/index.js';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { describeTrainedModel } from '../../models/trained.js';
import { ModelFolder } from './model-folder.js';
import type { FamilyRun } from './family.js';

/** What a family lets another folder lend: which module, and each part's name and tensor-name prefix. */
export interface Lendable {
  module: string;
  /** Part name (as --load-parts takes it) -> the prefix of its tensors' names in the module's state. */
  parts: Record<string, string>;
  /** The parts lent when --load-parts is not given. */
  defaults: readonly string[];
}

/** Where a new model's parts came from, kept in state.json. */
export interface Pretrained {
  from: string;
  parts: string[];
  /** The iteration the lending model had reached. */
  iteration: number;
}

const refusal = (dir: string, message: string) =>
  new FaceganError(ErrorCodes.USAGE, `--load-weights ${dir}: ${message}`);

/** One part lent: the lender's part `from` becomes this model's `to` (the same part unless given as FROM:TO). */
export interface LentPart {
  from: string;
  to: string;
}

/** A checked lender: its weights file and what it lends. */
export interface Lender {
  dir: string;
  weightsFile: string;
  iteration: number;
  lendable: Lendable;
  lent: readonly LentPart[];
}

/** A lent part as --load-parts names it (`encoder`, `decoder-a:decoder-b`), as state.json keeps it. */
const partName = (l: LentPart) => (l.from === l.to ? l.from : `${l.from}:${l.to}`);

/**
 * The parts named by --load-parts (`encoder,decoder-b`, or `decoder-a:decoder-b`: the lender's decoder A as this
 * model's decoder B, when the person it learnt is on the other side here); refuses an unknown name and a part of
 * this model given twice.
 */
function lentParts(lendable: Lendable, dir: string, parts: readonly string[]): LentPart[] {
  const names = Object.keys(lendable.parts);
  if (!parts.length) throw refusal(dir, `--load-parts takes ${names.join(', ')}, not "(nothing)".`);
  const lent = parts.map((p): LentPart => {
    const [from = '', to = from, ...more] = p.split(':');
    if (more.length || !(from in lendable.parts) || !(to in lendable.parts)) {
      throw refusal(
        dir,
        `--load-parts takes ${names.join(', ')} (comma- or space-separated), or FROM:TO to lend one part as ` +
          `another (e.g. decoder-a:decoder-b), not "${p}".`,
      );
    }
    return { from, to };
  });
  const twice = lent.find((l, i) => lent.findIndex((m) => m.to === l.to) !== i);
  if (twice) throw refusal(dir, `--load-parts gives this model's ${twice.to} twice; name each part once.`);
  return lent;
}

/**
 * Checks, before anything is written, that `dir` holds a trained model of the same `model` and that the family lends
 * `given` parts (its defaults when undefined); refuses, saying what to do, a family that lends nothing, a part it
 * does not lend, a folder without a trained model, and a model of another type.
 */
export function checkLender(
  lendable: Lendable | undefined,
  model: string,
  dir: string,
  given: readonly string[] | undefined,
): Lender {
  if (!lendable) throw refusal(dir, `a ${model} model does not take weights from another model; leave it out.`);
  // --load-parts encoder,decoder-b or encoder decoder-b
  const parts = given ? given.flatMap((p) => p.split(',')).filter(Boolean) : lendable.defaults;
  const lent = lentParts(lendable, dir, parts);
  if (!new ModelFolder(dir).exists()) {
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `--load-weights ${dir}: no trained model there (no config.json and state.json): give the folder of a model ` +
        'that facegan train has saved a checkpoint in.',
    );
  }
  const info = describeTrainedModel(dir);
  if (info.geometry.model !== model) {
    throw refusal(
      dir,
      `it holds a ${info.geometry.model} model, and this one is ${model}: weights carry over between models of ` +
        `the same --model only. Train with --model ${info.geometry.model}, or give a ${model} model's folder.`,
    );
  }
  return { dir, weightsFile: info.weightsFile, iteration: info.iteration, lendable, lent };
}

/**
 * Copies the lender's parts into the run's module (and into every module that starts as a copy of it: the averaged
 * weights). Refuses weights whose names or shapes differ (a folder of another version, or --mask on one side only).
 */
export function loadPretrained<C, B>(run: FamilyRun<C, B>, lender: Lender): Pretrained {
  const { lendable, dir } = lender;
  const parts = lender.lent.map(partName);
  const target = run.modules[lendable.module]!.module;
  const renames = lender.lent.map((l) => ({ from: lendable.parts[l.from]!, to: lendable.parts[l.to]! }));
  const { tensors } = loadSafetensors(lender.weightsFile);
  try {
    // the lender's tensors under this model's names
    const lent = new Map<string, Tensor>();
    for (const [k, t] of tensors) {
      for (const r of renames) if (k.startsWith(r.from)) lent.set(r.to + k.slice(r.from.length), t);
    }
    const wanted = [...target.stateDict().keys()].filter((k) => renames.some((r) => k.startsWith(r.to)));
    const missing = wanted.filter((k) => !lent.has(k));
    if (missing.length)
      throw refusal(
        dir,
        `its weights lack ${missing.slice(0, 3).join(', ')}: the folder is damaged or of another version.`,
      );
    try {
      target.loadStateDict(lent, { strict: false });
    } catch (e) {
      throw refusal(dir, `its ${parts.join(', ')} do not fit this model (${(e as Error).message}).`);
    }
  } finally {
    dispose(tensors);
  }
  for (const named of Object.values(run.modules))
    if (named.initFrom === lendable.module) named.module.loadStateDict(target.stateDict());
  return { from: dir, parts, iteration: lender.iteration };
}
