/**
 * The stages the dashboard runs, each by its own declared settings (the same schema the command line parses and
 * the stage checks): the page's forms are made from `schema`, the server checks what a form sends against it, and
 * a job's child process runs `run` (loaded only there, so the server itself never loads a model or the engine).
 */
import type { OptionSchema } from '../core/options.js';
import type { OnProgress } from '../core/progress.js';
import { CONVERT_SCHEMA, TRANSLATE_SCHEMA } from '../convert/options.js';
import { EXTRACT_SCHEMA } from '../extract/options.js';
import { TRAIN_FOLDERS_SCHEMA, TRAIN_SCHEMA } from '../train/families.js';
import { TRAIN_EVAL_SCHEMA, type TrainEvalOptions } from '../eval/train-eval.js';
import { GENERATE_SCHEMA, SEEDS_OPTION } from '../generate/options.js';
import { EVAL_GEN_SCHEMA, EVAL_SCHEMA } from '../eval/options.js';

export interface StageHooks {
  signal: AbortSignal;
  onProgress: OnProgress;
  onWarning: (message: string) => void;
  /** What else the job tells its page (training's evaluations). */
  onEvent: (e: Record<string, unknown>) => void;
}

export interface DashboardStage {
  summary: string;
  schema: OptionSchema;
  /** Runs the stage in the job's process (imported there); returns its summary. */
  run: (options: Record<string, unknown>, hooks: StageHooks) => Promise<unknown>;
}

/** The settings a form should not show: the device and threads belong to the machine, the rest to the CLI. */
const omit = <S extends OptionSchema>(schema: S, names: string[]) =>
  Object.fromEntries(Object.entries(schema).filter(([k]) => !names.includes(k))) as OptionSchema;

export const DASHBOARD_STAGES: Record<string, DashboardStage> = {
  extract: {
    summary: 'find, align and save every face of photos or a video',
    schema: omit(EXTRACT_SCHEMA, ['threads']),
    run: async (o, { onEvent: _e, ...h }) =>
      (await import('../extract/extract.js')).extract({ ...(o as object), ...h } as never),
  },
  train: {
    summary: 'train (or resume) a model on faces, measured every --eval-every iterations if asked',
    schema: { ...TRAIN_FOLDERS_SCHEMA, ...TRAIN_SCHEMA, ...TRAIN_EVAL_SCHEMA },
    run: async (o, h) => {
      const { train } = await import('../train/trainer.js');
      const { trainEvaluator, describeFigures, splitEvalOptions } = await import('../eval/train-eval.js');
      type Given = Omit<TrainEvalOptions, 'stylegan'> & { model?: string };
      const { evaluation, rest: options } = splitEvalOptions(o as Given);
      const stylegan = options.model === 'stylegan';
      const evaluator = trainEvaluator(
        { ...evaluation, a: options.a, b: options.b, modelDir: options.modelDir, stylegan },
        (iteration, figures) =>
          h.onEvent({
            type: 'eval',
            iteration,
            figures,
            lines: describeFigures(stylegan, !!evaluation.evalSwap, figures),
          }),
      );
      const { onEvent: _e, ...hooks } = h;
      return train({ ...options, ...hooks, ...(evaluator ? { evaluator } : {}) } as never);
    },
  },
  translate: {
    summary: 'translate photos or a video with a CycleGAN model (faces, or whole frames)',
    schema: omit(TRANSLATE_SCHEMA, ['threads']),
    run: async (o, { onEvent: _e, ...h }) =>
      (await import('../convert/translate.js')).translate({ ...(o as object), ...h } as never),
  },
  generate: {
    summary: 'new faces from a StyleGAN model, one PNG per seed or a grid; labelled as generated',
    schema: { ...GENERATE_SCHEMA, ...SEEDS_OPTION },
    run: async (o, { onEvent: _e, signal: _s, onWarning: _w, ...h }) => {
      const { generate } = await import('../generate/generate.js');
      const { parseRanges } = await import('../core/ranges.js');
      const { seeds, ...options } = o as { seeds?: string } & Record<string, unknown>;
      return generate({ ...options, ...(seeds ? { seeds: parseRanges(seeds, 'seeds') } : {}), ...h } as never);
    },
  },
  eval: {
    summary: 'measure a swap model on held-out frames, as papers do (report.json and report.html)',
    schema: EVAL_SCHEMA,
    run: async (o, { onEvent: _e, ...h }) =>
      (await import('../eval/eval.js')).evaluate({ ...(o as object), ...h } as never),
  },
  'eval-gen': {
    summary: 'measure a StyleGAN model: detection, KID, FD, precision and recall against held-out faces',
    schema: EVAL_GEN_SCHEMA,
    run: async (o, { onProgress }) =>
      (await import('../eval/gen-eval.js')).evalGen({ ...(o as object), onProgress } as never),
  },
  convert: {
    summary: 'swap the faces of photos or a video with a trained model',
    schema: omit(CONVERT_SCHEMA, ['threads']),
    run: async (o, { onEvent: _e, ...h }) =>
      (await import('../convert/convert.js')).convert({ ...(o as object), ...h } as never),
  },
};
