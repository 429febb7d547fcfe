/**
 * A model folder: config.json (the resolved settings), one NAME.safetensors per trained module with its
 * optimizer beside it (the main module's are model.safetensors and optimizer.safetensors), state.json (iteration,
 * best score, training time and the checkpoint's files: written last, it marks a complete checkpoint), log.jsonl
 * (the loss curve), previews/, backup/ (the checkpoint with the best score so far) and snapshots/. Every file is
 * written atomically, so an interruption leaves the previous checkpoint whole.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { loadSafetensors, saveSafetensors, type Adam, type Module, type Tensor, dispose } from '../../engine/index.js';
import { MODEL_FOLDER_VERSION, modelFiles, readModelConfig, readModelJson, loadWeights } from '../../models/trained.js';
import { VERSION } from '../../version.js';

export interface TrainState {
  iteration: number;
  /** Seconds spent training, over every run. */
  seconds: number;
  best?: { loss: number; iteration: number };
  /** The files of the last checkpoint (besides config.json and state.json). */
  files?: string[];
}

/** One line of log.jsonl: the iteration, time so far, speed, and the family's named losses (and eval figures). */
export interface LogEntry {
  iteration: number;
  seconds: number;
  [key: string]: number;
}

/** File names of a named module's weights and optimizer state. */
export function moduleFiles(name: string): { weights: string; optimizer: string } {
  return name === 'model'
    ? { weights: 'model.safetensors', optimizer: 'optimizer.safetensors' }
    : { weights: `${name}.safetensors`, optimizer: `${name}-optimizer.safetensors` };
}

/** The file of a family's step state (CycleGAN's image pools). */
export const STEP_STATE_FILE = 'step-state.safetensors';

export class ModelFolder {
  readonly paths: ReturnType<typeof modelFiles>;
  constructor(readonly dir: string) {
    this.paths = modelFiles(dir);
  }

  /** Whether a model was saved here (config.json and state.json both present). */
  exists(): boolean {
    return existsSync(this.paths.config) && existsSync(this.paths.state);
  }

  readConfig<C extends object = Record<string, unknown>>(): C {
    return readModelConfig<C>(this.dir, ['model', 'seed']);
  }

  readState(): TrainState {
    return readModelJson<TrainState>(this.paths.state);
  }

  create(config: object): void {
    mkdirSync(this.dir, { recursive: true });
    this.writeConfig(config);
  }

  writeConfig(config: object): void {
    const doc = { schemaVersion: MODEL_FOLDER_VERSION, writer: `facegan ${VERSION}`, config };
    writeFileAtomic(this.paths.config, [JSON.stringify(doc, null, 2)]);
  }

  /** Loads a named module's weights (strict: same names and shapes) and, when saved, its optimizer state. */
  loadModule(name: string, module: Module, opt?: Adam): void {
    const files = moduleFiles(name);
    loadWeights(module, join(this.dir, files.weights));
    if (opt) this.loadOptimizer(opt, join(this.dir, files.optimizer));
  }

  loadOptimizer(opt: Adam, file: string): void {
    if (!existsSync(file)) return;
    const { tensors, metadata } = loadSafetensors(file);
    try {
      opt.loadStateDict({ tensors, meta: JSON.parse(metadata.optimizer ?? '{}') as Parameters<Adam['loadStateDict']>[0]['meta'] });
    } finally {
      dispose(tensors);
    }
  }

  /** The saved step state, when there is one (the caller disposes the tensors). */
  readStepState(): Map<string, Tensor> | undefined {
    const file = join(this.dir, STEP_STATE_FILE);
    return existsSync(file) ? loadSafetensors(file).tensors : undefined;
  }

  /**
   * Writes a checkpoint: each named module's weights and optimizer, the step state, then state.json (which lists
   * the files, so that backup/ copies exactly this checkpoint).
   */
  save(modules: Record<string, { module: Module; opt: Adam }>, state: TrainState, model: string, stepState?: Map<string, Tensor>): void {
    const meta = { facegan: VERSION, model, iteration: String(state.iteration) };
    const files: string[] = [];
    for (const [name, { module, opt }] of Object.entries(modules)) {
      const f = moduleFiles(name);
      saveSafetensors(join(this.dir, f.weights), module.stateDict(), meta);
      const o = opt.stateDict();
      saveSafetensors(join(this.dir, f.optimizer), o.tensors, { ...meta, optimizer: JSON.stringify(o.meta) });
      files.push(f.weights, f.optimizer);
    }
    if (stepState) {
      saveSafetensors(join(this.dir, STEP_STATE_FILE), stepState, meta);
      files.push(STEP_STATE_FILE);
    }
    state.files = files;
    writeFileAtomic(this.paths.state, [JSON.stringify(state, null, 2)]);
  }

  /** Keeps a copy of the current weights as snapshots/NNNNNNN.safetensors. */
  snapshot(iteration: number): void {
    const dir = join(this.dir, 'snapshots');
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, `${String(iteration).padStart(7, '0')}.safetensors`), [readFileSync(this.paths.weights)]);
  }

  /** Copies the whole current checkpoint (every file state.json lists, then state.json) to backup/. */
  backup(): void {
    mkdirSync(this.paths.backup, { recursive: true });
    const files = this.readState().files ?? ['model.safetensors'];
    for (const f of ['config.json', ...files, 'state.json']) {
      writeFileAtomic(join(this.paths.backup, f), [readFileSync(join(this.dir, f))]);
    }
  }

  /** The loss curve so far. */
  readLog(): LogEntry[] {
    if (!existsSync(this.paths.log)) return [];
    return readFileSync(this.paths.log, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as LogEntry];
      } catch {
        return []; // a line cut by a crash
      }
    });
  }

  /** Drops log lines past the last checkpoint (they are trained again after a resume). */
  trimLog(iteration: number): void {
    if (!existsSync(this.paths.log)) return;
    const kept = this.readLog().filter((e) => e.iteration <= iteration);
    writeFileAtomic(this.paths.log, [kept.map((e) => JSON.stringify(e) + '\n').join('')]);
  }

  appendLog(entry: LogEntry): void {
    appendFileSync(this.paths.log, JSON.stringify(entry) + '\n');
  }
}
