/**
 * facegan worker: takes tasks from the queue and runs them here, on any number of machines sharing the storage the
 * paths name (NFS, say). A task is only paths and options; the worker refuses paths outside its roots, and leaves
 * alone tasks made by another facegan version (they wait for a worker of theirs). A worker that dies mid-task
 * stops renewing its lock, BullMQ finds the task stalled, and another worker runs it again from its start; the
 * part it was writing was never renamed into place, so nothing half-done is ever taken for done.
 */
import { hostname } from 'node:os';
import { sep } from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job as QueuedTask } from 'bullmq';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { realPath } from '../io/paths.js';
import { VERSION } from '../version.js';
import { Redis } from 'ioredis';
import { QUEUE_NAME, cancelKey, finishedKey, type TaskData } from './backends.js';
import type { Job } from './job.js';
import { checkRedis, parseQueueUrl } from './redis.js';
import { runTask, taskDone } from './tasks.js';

export interface WorkerOptions {
  queue: string;
  /** Tasks run at once in this process (default 1: a task uses every core already). */
  concurrency?: number;
  /** Folders whose files tasks may read and write (default: the current folder). */
  roots?: string[];
  /** How long a task's lock lasts without renewal: a dead worker's task runs again after about this long. */
  lockMs?: number;
  /** The version this worker claims (default facegan's own; tests use another). */
  version?: string;
  /** What the worker does, as it happens: started, done, failed, left (another version's task). */
  onEvent?: (e: WorkerEvent) => void;
}

export interface WorkerEvent {
  kind: 'started' | 'done' | 'failed' | 'left' | 'skipped';
  task: string;
  message?: string;
}

export interface RunningWorker {
  name: string;
  close(): Promise<void>;
}

/** Errors that another try (on another worker) would meet again. */
const FOR_GOOD = new Set<string>([ErrorCodes.USAGE, ErrorCodes.BAD_MODEL, ErrorCodes.BAD_ARGUMENT]);

/** Every path a task names: what it reads, what it writes (an extract's faces into the job's faces folder). */
const pathsOf = ({ job, task }: TaskData) => [
  task.input,
  task.output,
  job.work,
  ...(job.stage === 'convert' ? [job.options.modelDir] : [job.options.output, ...(job.options.nfilter ?? [])]),
  ...(job.options.alignments ? [job.options.alignments] : []),
  ...(job.options.filter ?? []),
];

function checkRoots(data: TaskData, roots: string[]): void {
  for (const p of pathsOf(data)) {
    const real = realPath(p);
    if (!roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep)))
      throw new UnrecoverableError(
        `${p} is outside this worker's roots (${roots.join(', ')}): start the worker with --root for that folder.`,
      );
  }
}

/**
 * Takes tasks from the queue and runs them in this process until closed (facegan worker).
 * @example
 * const w = await startWorker({ queue: 'redis://queue-host:6379', roots: ['/mnt/shared'] });
 * process.once('SIGINT', () => w.close());
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const connection = parseQueueUrl(o.queue);
  await checkRedis(connection);
  const version = o.version ?? VERSION;
  const roots = (o.roots?.length ? o.roots : [process.cwd()]).map((r) => realPath(r));
  const name = `facegan@${version}@${hostname()}:${process.pid}`;
  const emit = (e: WorkerEvent) => o.onEvent?.(e);
  const lockMs = o.lockMs ?? 30_000;
  const redis = new Redis(connection.options);
  redis.on('error', () => undefined);

  const process_ = async (q: QueuedTask<TaskData>, token?: string, lost?: AbortSignal) => {
    const { job, task } = q.data;
    const label = `${job.id}-${task.index}`;
    if (job.version !== version) {
      emit({
        kind: 'left',
        task: label,
        message:
          `task ${label} was queued by facegan ${job.version}; this worker runs ${version}, so it leaves it for ` +
          `a worker of ${job.version}. Install facegan ${job.version} here to take such tasks.`,
      });
      await q.moveToDelayed(Date.now() + 5000, token);
      throw new DelayedError();
    }
    checkRoots(q.data, roots);
    if (await redis.exists(cancelKey(job.id))) throw new UnrecoverableError(`job ${job.id} was cancelled`);
    // a copy of a task done already (queued again after a Redis restart), or of a job put together: nothing to do
    if ((await redis.exists(finishedKey(job.id))) || taskDone(job as Job, task)) {
      emit({ kind: 'skipped', task: label, message: 'done already' });
      return;
    }
    emit({ kind: 'started', task: label });
    let finished = false;
    let last = 0;
    const stop = new AbortController();
    // BullMQ aborts this when the task's lock is lost (another worker may have it now): stop writing
    lost?.addEventListener('abort', () => stop.abort());
    try {
      await runTask({ ...job, tasks: [], assemblies: [] } as Job, task, {
        signal: stop.signal,
        onProgress: (done) => {
          if (Date.now() - last < 1000) return;
          last = Date.now();
          void q.updateProgress({ done, size: task.size }).catch(() => undefined);
          void redis.mget(cancelKey(job.id), finishedKey(job.id)).then(
            ([cancelled, done]) => {
              finished = !!done;
              if (cancelled || done) stop.abort();
            },
            () => undefined,
          );
        },
      });
    } catch (e) {
      if (finished) {
        emit({ kind: 'skipped', task: label, message: 'the job was put together meanwhile' });
        return;
      }
      if (lost?.aborted) {
        const message = 'its lock was lost (Redis restarted, or this worker stalled): it runs again';
        emit({ kind: 'failed', task: label, message });
        throw new Error(message);
      }
      if (stop.signal.aborted) {
        emit({ kind: 'failed', task: label, message: 'cancelled' });
        throw new UnrecoverableError(`job ${job.id} was cancelled`);
      }
      const message = e instanceof FaceganError ? e.message : `unexpected error: ${(e as Error).message}`;
      emit({ kind: 'failed', task: label, message });
      // bad input fails the same way everywhere: no point in trying again; a device, a disk or ffmpeg may differ
      if (e instanceof FaceganError && FOR_GOOD.has(e.code)) throw new UnrecoverableError(message);
      throw e;
    }
    emit({ kind: 'done', task: label });
  };

  const worker = new Worker<TaskData>(QUEUE_NAME, process_, {
    connection: connection.options,
    concurrency: o.concurrency ?? 1,
    name,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
    maxStalledCount: 3,
  });
  worker.on('error', () => undefined); // connection trouble: BullMQ reconnects by itself
  await worker.waitUntilReady();
  return {
    name,
    close: async () => {
      await worker.close();
      redis.disconnect();
    },
  };
}
