/**
 * The stages the dashboard runs, each by its own declared settings (the same schema the command line parses and
 * the stage checks): the page's forms are made from `schema`, the server checks what a form sends against it, and
 * a job's child process runs `run` (loaded only there, so the server itself never loads a model or the engine).
 */
import type { OptionSchema } from '../core/options.js';
import type { OnProgress } from '../core/progress.js';
import { CONVERT_SCHEMA } from '../convert/options.js';
import { EXTRACT_SCHEMA } from '../extract/options.js';
import { TRAIN_FOLDERS_SCHEMA, TRAIN_SCHEMA } from '../train/families.js';

export interface StageHooks {
  signal: AbortSignal;
  onProgress: OnProgress;
  onWarning: (message: string) => void;
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
    run: async (o, h) => (await import('../extract/extract.js')).extract({ ...(o as object), ...h } as never),
  },
  train: {
    summary: 'train (or resume) a model on faces',
    schema: { ...TRAIN_FOLDERS_SCHEMA, ...TRAIN_SCHEMA },
    run: async (o, h) => (await import('../train/trainer.js')).train({ ...(o as object), ...h } as never),
  },
  convert: {
    summary: 'swap the faces of photos or a video with a trained model',
    schema: omit(CONVERT_SCHEMA, ['threads']),
    run: async (o, h) => (await import('../convert/convert.js')).convert({ ...(o as object), ...h } as never),
  },
};
