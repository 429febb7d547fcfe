/**
 * Batches made in a worker thread, a few iterations ahead, so that the engine never waits for augmentation.
 * The worker runs the same TypeScript through tsx.
 */
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../io/ts-worker.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { Batch, Side } from './batches.js';
import type { SampleOptions } from './augment.js';

export interface LoaderConfig {
  folders: { a: string; b: string };
  /** The files the main thread read (bad ones left out): the worker reads these, so both hold the same faces. */
  files: { a: string[]; b: string[] };
  minSide: number;
  batchSize: number;
  seed: number;
  sample: SampleOptions;
}

export interface LoaderRequest { iteration: number }
export interface LoaderReply { iteration: number; batches?: Record<Side, Batch>; error?: string }

export class BatchLoader {
  #worker: Worker;
  #pending = new Map<number, { resolve: (b: Record<Side, Batch>) => void; reject: (e: Error) => void; promise: Promise<Record<Side, Batch>> }>();
  #failed: Error | undefined;

  constructor(readonly config: LoaderConfig, readonly ahead = 3) {
    this.#worker = spawnTsWorker(new URL('./loader-worker.ts', import.meta.url), config);
    this.#worker.on('message', (r: LoaderReply) => {
      const p = this.#pending.get(r.iteration);
      if (!p) return;
      if (r.error) p.reject(new FaceganError(ErrorCodes.BAD_FILE, r.error));
      else p.resolve(r.batches!);
    });
    this.#worker.on('error', (e) => this.#fail(e));
  }

  #fail(e: Error): void {
    this.#failed = e instanceof FaceganError ? e : new FaceganError(ErrorCodes.BAD_FILE, `the data worker stopped: ${e.message}`, { cause: e });
    for (const p of this.#pending.values()) p.reject(this.#failed);
  }

  #request(iteration: number): Promise<Record<Side, Batch>> {
    let entry = this.#pending.get(iteration);
    if (!entry) {
      let resolve!: (b: Record<Side, Batch>) => void, reject!: (e: Error) => void;
      const promise = new Promise<Record<Side, Batch>>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined);
      entry = { resolve, reject, promise };
      this.#pending.set(iteration, entry);
      if (this.#failed) reject(this.#failed);
      else this.#worker.postMessage({ iteration } satisfies LoaderRequest);
    }
    return entry.promise;
  }

  /** The batches of one iteration; asks for the next few at the same time. */
  async get(iteration: number): Promise<Record<Side, Batch>> {
    for (let i = iteration; i <= iteration + this.ahead; i++) this.#request(i);
    const batches = await this.#request(iteration);
    this.#pending.delete(iteration);
    return batches;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
