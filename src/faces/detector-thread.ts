/**
 * Face detection in a worker thread, so that it runs beside the rest of the work on a frame: while the worker
 * finds the faces of frame n+1, the main thread cuts, describes and saves the faces of frame n. Same answers as
 * the registry's detector it runs, frames answered in the order they were sent.
 */
import type { Worker } from 'node:worker_threads';
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { spawnTsWorker } from '../io/ts-worker.js';
import type { DetectedFace, DetectorOptions, FaceDetector } from './detected.js';

export interface DetectRequest {
  id: number;
  width: number;
  height: number;
  data: ArrayBuffer;
}
export interface DetectReply {
  id: number;
  faces?: DetectedFace[];
  error?: string;
}

export class DetectorThread implements FaceDetector {
  #worker: Worker;
  #next = 0;
  #pending = new Map<number, { resolve: (f: DetectedFace[]) => void; reject: (e: Error) => void }>();
  #failed?: Error;

  constructor(options: DetectorOptions = {}) {
    this.#worker = spawnTsWorker(new URL('./detector-worker.ts', import.meta.url), options);
    this.#worker.on('message', (r: DetectReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (!this.#pending.size) this.#worker.unref(); // idle: it does not keep the process alive
      if (r.error) p?.reject(new FaceganError(ErrorCodes.ENGINE, `The face detector failed: ${r.error}`));
      else p?.resolve(r.faces!);
    });
    this.#worker.on('error', (e) => this.#fail(e));
    this.#worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`the detection thread stopped (exit ${code})`));
    });
    this.#worker.unref();
  }

  #fail(e: Error): void {
    this.#failed = new FaceganError(ErrorCodes.ENGINE, `The face detector failed: ${e.message}`, { cause: e });
    for (const p of this.#pending.values()) p.reject(this.#failed);
    this.#pending.clear();
    this.#worker.unref();
  }

  /** Queues a frame (its pixels are copied); resolves with its faces. */
  detect(image: RgbImage): Promise<DetectedFace[]> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    const data = image.data.slice().buffer;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, width: image.width, height: image.height, data } satisfies DetectRequest, [data]);
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
