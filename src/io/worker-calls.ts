/**
 * Calls to worker threads answered by id: a promise per call, settled by the reply with its id. An error in a
 * worker, or a worker that ends before close(), fails every call waiting and every later one at once, so that no
 * caller waits for ever on a thread that is gone. The model's, the detector's and the data loader's threads use it.
 */
import type { Worker } from 'node:worker_threads';
import { ErrorCodes, FaceganError } from '../core/errors.js';

interface Waiting<T> {
  resolve: (value: T) => void;
  reject: (e: Error) => void;
}

export class WorkerCalls<T> {
  #waiting = new Map<number, Waiting<T>>();
  #failed: FaceganError | undefined;
  #closing = false;
  readonly #workers: Worker[] = [];

  /**
   * `wrap` turns what stopped a worker (its error, or its unexpected end) into the error callers get; `what` names
   * the workers in the error of a call after close().
   */
  constructor(
    private readonly wrap: (e: Error) => FaceganError,
    private readonly what = 'the thread',
  ) {}

  /** Watches a worker: its error, or its end before close(), fails the calls. Returns it. */
  watch(worker: Worker): Worker {
    this.#workers.push(worker);
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => {
      if (!this.#closing) this.fail(new Error(`it ended (exit code ${code}) before the run did`));
    });
    return worker;
  }

  /** A promise for the reply `id`; `send` posts the request (not called when the calls have failed or closed). */
  call(id: number, send: () => void = () => undefined): Promise<T> {
    if (this.#closing) return Promise.reject(this.#closed());
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#waiting.has(id)) return Promise.reject(new FaceganError(ErrorCodes.ENGINE, `call ${id} is under way`));
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      try {
        send();
      } catch (e) {
        this.#waiting.delete(id);
        reject(e);
      }
    });
  }

  #closed(): FaceganError {
    return new FaceganError(ErrorCodes.USAGE, `${this.what} was closed; open a new one`);
  }

  /** Settles call `id` with its reply, or rejects it with an error (a reply for no call waiting is ignored). */
  settle(id: number, reply: T | Error): void {
    const w = this.#waiting.get(id);
    if (!w) return;
    this.#waiting.delete(id);
    if (reply instanceof Error) w.reject(reply);
    else w.resolve(reply);
  }

  /** How many calls wait for their reply. */
  get waiting(): number {
    return this.#waiting.size;
  }

  get failed(): FaceganError | undefined {
    return this.#failed;
  }

  /** Fails every call waiting and every later one (the first cause is kept). */
  fail(e: Error): void {
    this.#failed ??= e instanceof FaceganError ? e : this.wrap(e);
    for (const w of this.#waiting.values()) w.reject(this.#failed);
    this.#waiting.clear();
  }

  /** Ends the workers: calls waiting fail, later calls are refused, and the workers' end is expected. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const w of this.#waiting.values()) w.reject(this.#closed());
    this.#waiting.clear();
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
