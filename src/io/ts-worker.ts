/**
 * Worker threads that run one of facegan's modules. From the TypeScript sources (a checkout) the worker registers
 * tsx first, since it does not inherit the main thread's loader; from the compiled package it imports the
 * module's JavaScript directly.
 */
import { Worker } from 'node:worker_threads';

/** Whether this is the compiled package (dist/*.js) rather than the sources run through tsx. */
const compiled = import.meta.url.endsWith('.js');

/** A worker running the module at `url` (named by its .ts source, beside the caller). */
export function spawnTsWorker(url: URL, workerData: unknown): Worker {
  if (compiled) return new Worker(new URL(url.href.replace(/\.ts$/, '.js')), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); ` + `return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
