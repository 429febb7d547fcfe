/**
 * A model folder: config.json (the resolved settings), one NAME.safetensors per trained module with its
 * optimizer beside it (the main module's are model.safetensors and optimizer.safetensors), state.json (iteration,
 * best score, training time and the checkpoint's files: written last, it marks a complete checkpoint), log.jsonl
 * (the loss curve), previews/, backup/ (the checkpoint with the best loss so far), best-eval/ (the one whose
 * evaluation scored best, with train --eval-every) and snapshots/. Every file is
 * written atomically, so an interruption leaves the previous checkpoint whole.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { copyFileAtomic, sha256File, writeFileAtomic } from '../../io/atomic.js';
import { loadSafetensors, saveSafetensors, type Adam, type Module, type Tensor, dispose } from '../../engine/index.js';
import {
  MODEL_FOLDER_VERSION,
  modelFiles,
  readModelConfig,
  readTrainState,
  loadWeights,
} from '../../models/trained.js';
import { VERSION } from '../../version.js';
import type { Pretrained } from './pretrained.js';

export interface TrainState {
  iteration: number;
  /** Seconds spent training, over every run. */
  seconds: number;
  best?: { loss: number; iteration: number };
  /** The best evaluation so far by the evaluator's score (higher is better), kept whole in best-eval/. */
  bestEval?: { score: number; iteration: number };
  /** The files of the last checkpoint (besides config.json and state.json). */
  files?: string[];
  /** Their SHA-256, checked before a resume: a save cut short leaves files that do not match. */
  checksums?: Record<string, string>;
  /** The trained model whose parts this one started from (train --load-weights). */
  pretrained?: Pretrained;
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

/** The suffix of a checkpoint's files while it is being written (see save()). */
const NEXT = '.next';

/** The sub-folder holding the checkpoint whose evaluation scored best (train --eval-every). */
export const BEST_EVAL = 'best-eval';

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

  /**
   * new: no trained model here; complete: config.json and state.json; damaged: some of a model's files (its
   * weights, say) without the others. A damaged folder is never taken as new: that would overwrite its weights.
   */
  status(): 'new' | 'complete' | 'damaged' {
    if (this.exists()) return 'complete';
    // a config and a log without weights (a run killed before its first checkpoint) hold nothing to lose
    const parts = ['state.json', 'model.safetensors', 'optimizer.safetensors'];
    return parts.some((f) => existsSync(join(this.dir, f))) ? 'damaged' : 'new';
  }

  /** What `status()` found missing, for the message that refuses a damaged folder. */
  missing(): string[] {
    return ['config.json', 'state.json'].filter((f) => !existsSync(join(this.dir, f)));
  }

  /** Moves everything in the folder (but its lock) into replaced-TIMESTAMP/ inside it, for a fresh start. */
  moveAside(keep: readonly string[] = []): string {
    const aside = join(this.dir, `replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(aside);
    for (const f of readdirSync(this.dir)) {
      if (!f.startsWith('replaced-') && !keep.includes(f)) renameSync(join(this.dir, f), join(aside, f));
    }
    return aside;
  }

  /** Removes temporary files that a writer killed mid-write left behind (call it holding the folder's lock). */
  removeOrphans(): number {
    let n = 0;
    for (const dir of [this.dir, this.paths.backup, join(this.dir, 'snapshots'), this.paths.previews]) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        if (f.startsWith('.') && f.endsWith('.tmp')) {
          rmSync(join(dir, f), { force: true });
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Checks that the checkpoint's files are the ones state.json was written with (their SHA-256). A save cut short
   * (kill -9) can leave newer weights beside an older state; resuming from that would mix iterations.
   */
  verify(state: TrainState): void {
    for (const [file, sum] of Object.entries(state.checksums ?? {})) {
      const path = join(this.dir, file);
      const actual = existsSync(path) ? sha256File(path) : 'missing';
      if (actual !== sum) {
        throw new FaceganError(
          ErrorCodes.BAD_MODEL,
          `${path} ${actual === 'missing' ? 'is missing' : 'does not match state.json'}: ` +
            'the last checkpoint was cut short ' +
            '(the process was killed while saving). ' +
            (existsSync(join(this.paths.backup, 'state.json'))
              ? `Restore the last good one with cp ${this.paths.backup}/* ${this.dir}/, or `
              : '') +
            'train again with --restart to start over (the old files are kept in replaced-*/).',
        );
      }
    }
  }

  readConfig<C extends object = Record<string, unknown>>(): C {
    return readModelConfig<C>(this.dir, ['model', 'seed']);
  }

  readState(): TrainState {
    return readTrainState(this.paths.state);
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
  /** Whether the folder holds a part's weights. */
  hasModule(name: string): boolean {
    return existsSync(join(this.dir, moduleFiles(name).weights));
  }

  loadModule(name: string, module: Module, opt?: Adam): void {
    const files = moduleFiles(name);
    loadWeights(module, join(this.dir, files.weights));
    if (opt) this.loadOptimizer(opt, join(this.dir, files.optimizer));
  }

  loadOptimizer(opt: Adam, file: string): void {
    if (!existsSync(file)) return;
    const { tensors, metadata } = loadSafetensors(file);
    try {
      opt.loadStateDict({
        tensors,
        meta: JSON.parse(metadata.optimizer ?? '{}') as Parameters<Adam['loadStateDict']>[0]['meta'],
      });
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
   * Writes a checkpoint as one unit, in two phases: every file goes to NAME.next (each atomically), then
   * state.json.next listing them with their checksums (the commit point), then each is renamed into place and
   * state.json last. A process killed before the commit point leaves the last checkpoint whole (its .next files
   * are dropped on the next start); killed after it, the next start finishes the renames (`recover()`).
   */
  save(
    modules: Record<string, { module: Module; opt?: Adam }>,
    state: TrainState,
    model: string,
    stepState?: Map<string, Tensor>,
  ): void {
    const meta = { facegan: VERSION, model, iteration: String(state.iteration) };
    const files: string[] = [];
    const next = (f: string) => join(this.dir, `${f}${NEXT}`);
    for (const [name, { module, opt }] of Object.entries(modules)) {
      const f = moduleFiles(name);
      saveSafetensors(next(f.weights), module.stateDict(), meta);
      files.push(f.weights);
      if (!opt) continue;
      const o = opt.stateDict();
      saveSafetensors(next(f.optimizer), o.tensors, { ...meta, optimizer: JSON.stringify(o.meta) });
      files.push(f.optimizer);
    }
    if (stepState) {
      saveSafetensors(next(STEP_STATE_FILE), stepState, meta);
      files.push(STEP_STATE_FILE);
    }
    state.files = files;
    state.checksums = Object.fromEntries(files.map((f) => [f, sha256File(next(f))]));
    writeFileAtomic(next('state.json'), [JSON.stringify(state, null, 2)]);
    this.#commit();
  }

  /** Renames a committed checkpoint's .next files into place, state.json last. */
  #commit(): void {
    const pending = join(this.dir, `state.json${NEXT}`);
    const { files = [] } = readTrainState(pending);
    for (const f of files) {
      const from = join(this.dir, `${f}${NEXT}`);
      if (existsSync(from)) renameSync(from, join(this.dir, f));
    }
    renameSync(pending, this.paths.state);
  }

  /**
   * Brings the folder back to one whole checkpoint after a process was killed while writing: finishes a committed
   * checkpoint, drops an uncommitted one's files and a half-copied backup. Call it holding the folder's lock.
   */
  recover(): { finished: boolean; dropped: number } {
    let finished = false,
      dropped = 0;
    for (const copy of [this.paths.backup, join(this.dir, BEST_EVAL)]) {
      const staged = `${copy}${NEXT}`;
      if (!existsSync(staged)) continue;
      // complete when its state.json (copied last) is there: then it replaces the copy it was about to replace
      if (existsSync(join(staged, 'state.json'))) {
        rmSync(copy, { recursive: true, force: true });
        renameSync(staged, copy);
      } else {
        rmSync(staged, { recursive: true, force: true });
      }
    }
    if (existsSync(join(this.dir, `state.json${NEXT}`))) {
      this.#commit();
      finished = true;
    }
    for (const e of readdirSync(this.dir, { withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith(NEXT)) {
        rmSync(join(this.dir, e.name), { force: true });
        dropped++;
      }
    }
    return { finished, dropped };
  }

  /** Keeps a copy of a part's current weights (the model's by default) as snapshots/NNNNNNN.safetensors. */
  snapshot(iteration: number, part = 'model'): void {
    const dir = join(this.dir, 'snapshots');
    mkdirSync(dir, { recursive: true });
    copyFileAtomic(
      join(this.dir, moduleFiles(part).weights),
      join(dir, `${String(iteration).padStart(7, '0')}.safetensors`),
    );
  }

  /**
   * Copies the whole current checkpoint (every file state.json lists, then state.json) to backup/ (or another
   * sub-folder: best-eval/), through NAME.next/ so that a kill while copying leaves the old copy whole. The copy
   * loads as a model (convert -m); each new copy replaces the whole folder, so nothing else belongs in it.
   */
  backup(to = this.paths.backup): void {
    const staged = `${to}${NEXT}`;
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(staged, { recursive: true });
    const files = this.readState().files ?? ['model.safetensors'];
    for (const f of ['config.json', ...files, 'state.json']) copyFileAtomic(join(this.dir, f), join(staged, f));
    rmSync(to, { recursive: true, force: true });
    renameSync(staged, to);
  }

  /** The loss curve so far. */
  readLog(): LogEntry[] {
    if (!existsSync(this.paths.log)) return [];
    return readFileSync(this.paths.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        try {
          const e = JSON.parse(l) as LogEntry;
          // a line cut by a crash, or one that is not an entry, is left out
          return Number.isInteger(e?.iteration) && e.iteration >= 0 ? [e] : [];
        } catch {
          return [];
        }
      });
  }

  /** Drops log lines past the last checkpoint (they are trained again after a resume). */
  trimLog(iteration: number): void {
    if (!existsSync(this.paths.log)) return;
    const kept = this.readLog().filter((e) => e.iteration <= iteration);
    writeFileAtomic(this.paths.log, [kept.map((e) => `${JSON.stringify(e)}\n`).join('')]);
  }

  appendLog(entry: LogEntry): void {
    appendFileSync(this.paths.log, `${JSON.stringify(entry)}\n`);
  }
}
