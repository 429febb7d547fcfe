/**
 * Face detection in a worker thread, so that it runs beside the rest of the work on a frame: while the worker
 * finds the faces of frame n+1, the main thread cuts, describes and saves the faces of frame n. Same answers as
 * the registry's detector it runs, frames answered in the order they were sent.
 */
import type { Worker } from 'node:worker_threads';
import type { RgbImage } from '../core/image.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { spawnTsWorker } from '../io/ts-worker.js';
import { WorkerCalls } from '../io/worker-calls.js';
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
  /** Milliseconds the thread spent on the frame. */
  ms?: number;
}

export class DetectorThread implements FaceDetector {
  #worker: Worker;
  #next = 0;
  /** Milliseconds the thread has spent detecting (it overlaps the caller's work): extract's profile. */
  busyMs = 0;
  readonly #calls = new WorkerCalls<DetectedFace[]>(
    (e) => new FaceganError(ErrorCodes.ENGINE, `The face detector failed: ${e.message}`, { cause: e }),
    'the face detector',
  );

  constructor(options: DetectorOptions = {}) {
    this.#worker = this.#calls.watch(spawnTsWorker(new URL('./detector-worker.ts', import.meta.url), options));
    this.#worker.on('message', (r: DetectReply) => {
      this.busyMs += r.ms ?? 0;
      this.#calls.settle(
        r.id,
        r.error ? new FaceganError(ErrorCodes.ENGINE, `The face detector failed: ${r.error}`) : r.faces!,
      );
      if (!this.#calls.waiting) this.#worker.unref(); // idle: it does not keep the process alive
    });
    this.#worker.on('error', () => this.#worker.unref());
    this.#worker.unref();
  }

  /** Queues a frame (its pixels are copied); resolves with its faces. */
  detect(image: RgbImage): Promise<DetectedFace[]> {
    const id = this.#next++;
    return this.#calls.call(id, () => {
      const data = image.data.slice().buffer;
      this.#worker.postMessage({ id, width: image.width, height: image.height, data } satisfies DetectRequest, [data]);
      this.#worker.ref();
    });
  }

  close(): Promise<void> {
    return this.#calls.close();
  }
}
