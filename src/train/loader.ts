/**
 * Batches made in worker threads, a few iterations ahead, so that the engine never waits for augmentation. The
 * workers run the same TypeScript through tsx. A batch is a pure function of (seed, side, iteration), so worker
 * k of n makes the iterations i with i % n = k and the batches are the same whatever n is: one worker keeps a CPU's
 * cores for the engine, while a GPU, which trains faster than one thread augments, is given several.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../io/ts-worker.js';
import { WorkerCalls } from '../io/worker-calls.js';
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
  readonly #calls = new WorkerCalls<Record<Side, Batch>>(
    (e) =>
      new FaceganError(ErrorCodes.BAD_FILE, `the data worker stopped: ${e.message}; run the same command to resume`, {
        cause: e,
      }),
  );
  /** The batches asked for and not yet taken by get(), by iteration (asked a few iterations ahead). */
  readonly #asked = new Map<number, Promise<Record<Side, Batch>>>();

  constructor(
    readonly config: LoaderConfig,
    workers = 1,
  ) {
    this.ahead = Math.max(3, 2 * workers);
    this.workers = Array.from({ length: workers }, () => {
      const worker = this.#calls.watch(spawnTsWorker(new URL('./loader-worker.ts', import.meta.url), config));
      worker.on('message', (r: LoaderReply) =>
        this.#calls.settle(r.iteration, r.error ? new FaceganError(ErrorCodes.BAD_FILE, r.error) : r.batches!),
      );
      return worker;
    });
  }

  #request(iteration: number): Promise<Record<Side, Batch>> {
    let asked = this.#asked.get(iteration);
    if (!asked) {
      const worker = this.workers[iteration % this.workers.length]!;
      asked = this.#calls.call(iteration, () => worker.postMessage({ iteration } satisfies LoaderRequest));
      asked.catch(() => undefined); // a batch asked ahead may fail before get() waits for it
      this.#asked.set(iteration, asked);
    }
    return asked;
  }

  /** The batches of one iteration; asks for the next few at the same time. */
  async get(iteration: number): Promise<Record<Side, Batch>> {
    for (let i = iteration; i <= iteration + this.ahead; i++) this.#request(i);
    try {
      return await this.#request(iteration);
    } finally {
      this.#asked.delete(iteration);
    }
  }

  close(): Promise<void> {
    return this.#calls.close();
  }
}
