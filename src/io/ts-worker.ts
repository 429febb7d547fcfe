/** Worker threads that run facegan's TypeScript modules (a worker does not inherit the main thread's tsx loader). */
import { Worker } from 'node:worker_threads';

/** A worker running a TypeScript module: it registers tsx first, then imports the module. */
export function spawnTsWorker(url: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
