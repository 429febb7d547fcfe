/**
 * A swap model in a thread of its own, so that the frame loop prepares and pastes one batch of faces while the
 * model runs the next (convert's video pipeline: docs/convert.md). The thread loads the model folder itself;
 * faces go in as the planar pixels prepareFace cut, and come back as the model's outputs, on the CPU in float32.
 */
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../io/ts-worker.js';
import { ErrorCodes, FaceganError, type ErrorCode } from '../core/errors.js';
import { tensor, type Device, type Tensor } from '../engine/index.js';
import { stackPixels, type PreparedFace, type SwapSettings } from './swap.js';
import { WorkerCalls } from '../io/worker-calls.js';

export interface ModelThreadOptions {
  modelDir: string;
  device: Device;
  bf16: boolean;
}
export interface ModelRequest {
  id: number;
  decoder: SwapSettings['decoder'];
  /** The faces' model inputs, one after another ([N, 3, S, S]). */
  pixels: Float32Array;
}
/** id -1 answers the model's loading. */
export interface ModelReply {
  id: number;
  pixels?: Float32Array;
  shape?: number[];
  error?: string;
  code?: string;
}

export class ModelThread {
  #next = 0;
  readonly #calls = new WorkerCalls<ModelReply>(
    (e) => new FaceganError(ErrorCodes.ENGINE, `the model's thread stopped: ${e.message}`, { cause: e }),
    "the model's thread",
  );

  private constructor(private readonly worker: Worker) {
    this.#calls.watch(worker);
    worker.on('message', (r: ModelReply) =>
      this.#calls.settle(
        r.id,
        r.error === undefined ? r : new FaceganError((r.code as ErrorCode) ?? ErrorCodes.ENGINE, r.error),
      ),
    );
  }

  /** Starts the thread and waits until it has loaded the model (or says why it could not). */
  static async open(options: ModelThreadOptions): Promise<ModelThread> {
    const thread = new ModelThread(spawnTsWorker(new URL('./model-worker.ts', import.meta.url), options));
    try {
      await thread.#calls.call(-1);
    } catch (e) {
      await thread.close();
      throw e;
    }
    return thread;
  }

  /** The model's outputs for these faces (one [1, C, S, S] tensor each, CPU, float32), toward `decoder`. */
  async run(faces: readonly PreparedFace[], decoder: SwapSettings['decoder']): Promise<Tensor[]> {
    if (!faces.length) return [];
    const pixels = stackPixels(faces);
    const id = this.#next++;
    const reply = await this.#calls.call(id, () =>
      this.worker.postMessage({ id, decoder, pixels } satisfies ModelRequest, [pixels.buffer as ArrayBuffer]),
    );
    const [n, ...rest] = reply.shape!;
    const per = reply.pixels!.length / n!;
    return faces.map((_, i) => tensor(reply.pixels!.subarray(i * per, (i + 1) * per), { shape: [1, ...rest] }));
  }

  close(): Promise<void> {
    return this.#calls.close();
  }
}
