/** facegan worker --queue redis://HOST:PORT: runs queued tasks here until stopped. */
import { defineCommand } from './command.js';
import { useThreads } from './convert.js';
import { startWorker } from '../queue/worker.js';

export const workerCommand = defineCommand({
  summary: 'take convert and extract tasks from a Redis queue and run them here (start one on each machine)',
  details: `Examples:
  facegan worker --queue redis://queue-host:6379 --root /mnt/shared
  facegan worker --queue redis://:PASSWORD@queue-host:6379 --concurrency 2 --threads 4

Every machine must see the job's files at the same paths (shared storage: NFS, SMB, ...). Tasks name paths
and options only, never code, and a worker refuses paths outside its --root folders. Stop it with Ctrl-C: the
task in hand is finished first (a second Ctrl-C quits at once, and the task, found stalled, runs again on
another worker after --lock-seconds).`,
  options: {
    queue: {
      type: 'string',
      help: 'the Redis to take tasks from (redis://[USER:PASSWORD@]HOST:PORT[/DB]); default FACEGAN_QUEUE',
    },
    concurrency: { type: 'int', help: 'tasks run at once by this worker', default: 1, min: 1, max: 64 },
    root: { type: 'list', help: 'folders tasks may read and write (default: the current folder)' },
    threads: { type: 'int', help: 'CPU threads for the model (default: every core)', min: 1, max: 256 },
    lockSeconds: {
      type: 'number',
      help: 'how long a task stays with a worker that stops answering (killed, cut off) before another takes it',
      default: 30,
      min: 2,
      max: 3600,
    },
  },
  async run(o) {
    const queue = o.queue ?? process.env.FACEGAN_QUEUE;
    if (!queue) {
      const { FaceganError, ErrorCodes } = await import('../core/errors.js');
      throw new FaceganError(ErrorCodes.USAGE, 'Missing queue (--queue redis://HOST:PORT, or FACEGAN_QUEUE).');
    }
    useThreads(o.threads);
    const w = await startWorker({
      queue,
      concurrency: o.concurrency,
      lockMs: o.lockSeconds * 1000,
      ...(o.root ? { roots: o.root } : {}),
      onEvent: (e) =>
        console.log(`${new Date().toISOString()} ${e.kind} ${e.task}${e.message ? `: ${e.message}` : ''}`),
    });
    console.log(`worker ${w.name} waiting for tasks`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        console.log('stopping once the task in hand is finished (Ctrl-C again quits at once)');
        process.once('SIGINT', () => process.exit(130));
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await w.close();
    return 0;
  },
});
