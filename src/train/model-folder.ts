/**
 * A model folder: config.json (the resolved settings), model.safetensors (weights), optimizer.safetensors,
 * state.json (iteration, best loss, training time: written last, it marks a complete checkpoint), log.jsonl (the
 * loss curve), previews/, and backup/ (the checkpoint with the lowest loss so far). Every file is written
 * atomically, so an interruption leaves the previous checkpoint whole.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { loadSafetensors, saveSafetensors, type Adam, type Module, dispose } from '../engine/index.js';
import { MODEL_FOLDER_VERSION, modelFiles, readModelConfig, readModelJson, loadWeights } from '../models/trained.js';
import { VERSION } from '../version.js';
import type { TrainConfig } from './config.js';

const REQUIRED = ['model', 'size', 'coverage', 'extractCoverage', 'modelCoverage', 'loss', 'seed', 'augment'] as const;

export interface TrainState {
  iteration: number;
  /** Seconds spent training, over every run. */
  seconds: number;
  best?: { loss: number; iteration: number };
}

export interface LogEntry {
  iteration: number;
  seconds: number;
  lossA: number;
  lossB: number;
  [key: string]: number;
}

export class ModelFolder {
  readonly paths: ReturnType<typeof modelFiles>;
  constructor(readonly dir: string) {
    this.paths = modelFiles(dir);
  }

  /** Whether a model was saved here (config.json and state.json both present). */
  exists(): boolean {
    return existsSync(this.paths.config) && existsSync(this.paths.state);
  }

  readConfig(): TrainConfig {
    return readModelConfig<TrainConfig>(this.dir, REQUIRED);
  }

  readState(): TrainState {
    return readModelJson<TrainState>(this.paths.state);
  }

  create(config: TrainConfig): void {
    mkdirSync(this.dir, { recursive: true });
    this.writeConfig(config);
  }

  writeConfig(config: TrainConfig): void {
    writeFileAtomic(this.paths.config, [JSON.stringify({ schemaVersion: MODEL_FOLDER_VERSION, writer: `facegan ${VERSION}`, config }, null, 2)]);
  }

  /** Loads weights into a module (strict: same names and shapes). */
  loadWeights(module: Module, file = this.paths.weights): void {
    loadWeights(module, file);
  }

  loadOptimizer(opt: Adam, file = this.paths.optimizer): void {
    if (!existsSync(file)) return;
    const { tensors, metadata } = loadSafetensors(file);
    try {
      opt.loadStateDict({ tensors, meta: JSON.parse(metadata.optimizer ?? '{}') as Parameters<Adam['loadStateDict']>[0]['meta'] });
    } finally {
      dispose(tensors);
    }
  }

  /**
   * Writes a checkpoint: each named module's weights and optimizer, then state.json. `extra` names more modules
   * (a GAN's discriminators) saved as NAME.safetensors.
   */
  save(model: Module, opt: Adam, state: TrainState, config: TrainConfig, extra: Record<string, { module: Module; opt: Adam }> = {}): void {
    const meta = { facegan: VERSION, model: config.model, iteration: String(state.iteration) };
    saveSafetensors(this.paths.weights, model.stateDict(), meta);
    const o = opt.stateDict();
    saveSafetensors(this.paths.optimizer, o.tensors, { ...meta, optimizer: JSON.stringify(o.meta) });
    for (const [name, { module, opt: eo }] of Object.entries(extra)) {
      saveSafetensors(join(this.dir, `${name}.safetensors`), module.stateDict(), meta);
      const s = eo.stateDict();
      saveSafetensors(join(this.dir, `${name}-optimizer.safetensors`), s.tensors, { ...meta, optimizer: JSON.stringify(s.meta) });
    }
    writeFileAtomic(this.paths.state, [JSON.stringify(state, null, 2)]);
  }

  /** Keeps a copy of the current weights as snapshots/NNNNNNN.safetensors. */
  snapshot(iteration: number): void {
    const dir = join(this.dir, 'snapshots');
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, `${String(iteration).padStart(7, '0')}.safetensors`), [readFileSync(this.paths.weights)]);
  }

  /** Copies the current checkpoint to backup/ (after an improvement). */
  backup(): void {
    mkdirSync(this.paths.backup, { recursive: true });
    for (const f of ['config.json', 'model.safetensors', 'state.json']) {
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

