/**
 * Batches made in worker threads, a few iterations ahead, so that the engine never waits for augmentation. The
 * workers run the same TypeScript through tsx. A batch is a pure function of (seed, side, iteration), so worker
 * k of n makes the iterations i with i % n = k and the batches are the same whatever n is: one worker keeps a CPU's
 * cores for the engine, while a GPU, which trains faster than one thread augments, is given several.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../io/ts-worker.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { Batch, Side } from './batches.js';
import type { SampleOptions } from './augment.js';
import type { SharedFaces } from './shared-faces.js';

export interface LoaderConfig {
  /** The faces the main thread read, decoded once in shared memory: the workers read them, and decode nothing. */
  faces: Record<Side, SharedFaces>;
  batchSize: number;
  seed: number;
  sample: SampleOptions;
}

export interface LoaderRequest {
  iteration: number;
}
export interface LoaderReply {
  iteration: number;
  batches?: Record<Side, Batch>;
  error?: string;
}

/** Workers for a device: one on a CPU; on a GPU, every core but one (at most 15; all read one shared faceset). */
export const loaderWorkers = (device: string): number =>
  device === 'cpu' ? 1 : Math.max(1, Math.min(15, availableParallelism() - 1));

export class BatchLoader {
  /** Not #private: a test stops one to check that get() then fails rather than waits. */
  private readonly workers: Worker[];
  readonly ahead: number;
  #closing = false;
  #pending = new Map<
    number,
    { resolve: (b: Record<Side, Batch>) => void; reject: (e: Error) => void; promise: Promise<Record<Side, Batch>> }
  >();
  #failed: Error | undefined;

  constructor(
    readonly config: LoaderConfig,
    workers = 1,
  ) {
    this.ahead = Math.max(3, 2 * workers);
    this.workers = Array.from({ length: workers }, () => {
      const worker = spawnTsWorker(new URL('./loader-worker.ts', import.meta.url), config);
      worker.on('message', (r: LoaderReply) => {
        const p = this.#pending.get(r.iteration);
        if (!p) return;
        if (r.error) p.reject(new FaceganError(ErrorCodes.BAD_FILE, r.error));
        else p.resolve(r.batches!);
      });
      worker.on('error', (e) => this.#fail(e));
      // a worker that ends without an error (killed, out of memory) would leave get() waiting for ever
      worker.on('exit', (code) => {
        if (!this.#closing && !this.#failed)
          this.#fail(new Error(`it ended (exit code ${code}) before the run did; run the same command to resume`));
      });
      return worker;
    });
  }

  #fail(e: Error): void {
    this.#failed =
      e instanceof FaceganError
        ? e
        : new FaceganError(ErrorCodes.BAD_FILE, `the data worker stopped: ${e.message}`, { cause: e });
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
      if (this.#closing) reject(new FaceganError(ErrorCodes.USAGE, 'the batch loader was closed; open a new one'));
      else if (this.#failed) reject(this.#failed);
      else this.workers[iteration % this.workers.length]!.postMessage({ iteration } satisfies LoaderRequest);
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
    this.#closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
