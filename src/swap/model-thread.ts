/**
 * A swap model in a thread of its own, so that the frame loop prepares and pastes one batch of faces while the
 * model runs the next (convert's video pipeline: docs/convert.md). The thread loads the model folder itself;
 * faces go in as the planar pixels prepareFace cut, and come back as the model's outputs, on the CPU in float32.
 */
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../io/ts-worker.js';
import { ErrorCodes, FaceganError, type ErrorCode } from '../core/errors.js';
import { tensor, type Device, type Tensor } from '../engine/index.js';
import type { PreparedFace, SwapSettings } from './swap.js';

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
  #pending = new Map<number, { resolve: (r: ModelReply) => void; reject: (e: Error) => void }>();
  #failed: Error | undefined;
  #closing = false;

  private constructor(private readonly worker: Worker) {}

  /** Starts the thread and waits until it has loaded the model (or says why it could not). */
  static async open(options: ModelThreadOptions): Promise<ModelThread> {
    const worker = spawnTsWorker(new URL('./model-worker.ts', import.meta.url), options);
    const thread = new ModelThread(worker);
    const loaded = new Promise<ModelReply>((resolve, reject) => thread.#pending.set(-1, { resolve, reject }));
    worker.on('message', (r: ModelReply) => thread.#answer(r));
    worker.on('error', (e) => thread.#fail(e));
    worker.on('exit', (code) => {
      if (!thread.#closing) thread.#fail(new Error(`it ended (exit code ${code}) before the run did`));
    });
    try {
      await loaded;
    } catch (e) {
      await thread.close();
      throw e;
    }
    return thread;
  }

  #answer(r: ModelReply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    this.#pending.delete(r.id);
    if (r.error !== undefined) p.reject(new FaceganError((r.code as ErrorCode) ?? ErrorCodes.ENGINE, r.error));
    else p.resolve(r);
  }

  #fail(e: Error): void {
    this.#failed ??=
      e instanceof FaceganError
        ? e
        : new FaceganError(ErrorCodes.ENGINE, `the model's thread stopped: ${e.message}`, { cause: e });
    for (const p of this.#pending.values()) p.reject(this.#failed);
    this.#pending.clear();
  }

  /** The model's outputs for these faces (one [1, C, S, S] tensor each, CPU, float32), toward `decoder`. */
  async run(faces: readonly PreparedFace[], decoder: SwapSettings['decoder']): Promise<Tensor[]> {
    if (!faces.length) return [];
    if (this.#failed) throw this.#failed;
    const each = faces[0]!.pixels.length;
    const pixels = new Float32Array(each * faces.length);
    faces.forEach((f, i) => pixels.set(f.pixels, i * each));
    const id = this.#next++;
    const reply = await new Promise<ModelReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, decoder, pixels } satisfies ModelRequest, [pixels.buffer]);
    });
    const [n, ...rest] = reply.shape!;
    const per = reply.pixels!.length / n!;
    return faces.map((_, i) => tensor(reply.pixels!.subarray(i * per, (i + 1) * per), { shape: [1, ...rest] }));
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.worker.terminate();
  }
}
