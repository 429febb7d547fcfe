/**
 * Two ways to run a job's tasks behind one interface: in this process, one after another (the default, no
 * server), or on workers on any number of machines through a BullMQ queue on Redis (--queue redis://...).
 */
import { Queue, type Job as QueuedTask } from 'bullmq';
import { Redis } from 'ioredis';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { Job, JobHead, Task } from './job.js';
import { checkRedis, parseQueueUrl, type QueueConnection } from './redis.js';
import { runTask, taskDone } from './tasks.js';

export interface RunHooks {
  signal?: AbortSignal;
  /** Frames done of a task (its size when done). */
  onTask?: (task: Task, done: number) => void;
  onWarning?: (message: string) => void;
}

export interface Backend {
  /** Runs the tasks to completion; rejects when one fails for good (or the signal stops the wait). */
  run(job: Job, tasks: Task[], hooks: RunHooks): Promise<void>;
  /** Says the job is put together: a task of it still queued or running (a copy after a Redis restart) stops. */
  finished(job: Job): Promise<void>;
  close(): Promise<void>;
}

/** The queue's name in Redis (keys bull:facegan:*). */
export const QUEUE_NAME = 'facegan';

/** What a queued task carries: the job (without the other tasks) and the task. Paths and options only. */
export interface TaskData {
  job: JobHead;
  task: Task;
}

/** The Redis key that marks a job cancelled (a day long): workers stop its tasks, its coordinator gives up. */
export const cancelKey = (jobId: string) => `facegan:cancelled:${jobId}`;

/** The Redis key that marks a job put together (a day long): workers leave or stop what is left of it. */
export const finishedKey = (jobId: string) => `facegan:finished:${jobId}`;

/** The BullMQ id of a task: stable, so a coordinator run again finds the tasks it queued before. */
export const taskId = (job: Job, task: Task) => `${job.id}-${task.index}`;

export class InProcessBackend implements Backend {
  async run(job: Job, tasks: Task[], hooks: RunHooks): Promise<void> {
    for (const t of tasks) {
      if (hooks.signal?.aborted) return;
      await runTask(job, t, {
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        onProgress: (d) => hooks.onTask?.(t, d),
        ...(hooks.onWarning ? { onWarning: hooks.onWarning } : {}),
      });
      hooks.onTask?.(t, t.size);
    }
  }
  async finished(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Workers' names: facegan@VERSION@HOST:PID (see worker.ts). */
export const workerVersion = (name: string) => /^facegan@([^@]+)@/.exec(name)?.[1];

export class BullBackend implements Backend {
  private constructor(
    private readonly queue: Queue,
    readonly connection: QueueConnection,
    private readonly pollMs: number,
    private readonly redis: Redis,
  ) {}

  static async open(url: string, pollMs = 1000): Promise<BullBackend> {
    const connection = parseQueueUrl(url);
    await checkRedis(connection);
    const queue = new Queue(QUEUE_NAME, { connection: connection.options });
    queue.on('error', () => undefined); // connection trouble surfaces from the calls below
    const redis = new Redis(connection.options);
    redis.on('error', () => undefined);
    return new BullBackend(queue, connection, pollMs, redis);
  }

  /** Queues a task unless it is already waiting or running; a finished or failed one whose output is gone again. */
  private async enqueue(job: Job, task: Task): Promise<void> {
    const id = taskId(job, task);
    const old = await this.queue.getJob(id);
    const { tasks: _t, assemblies: _a, ...head } = job;
    const data: TaskData = { job: head as JobHead, task };
    if (old) {
      const state = await old.getState();
      const same = JSON.stringify(old.data) === JSON.stringify(data);
      if (same && (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized')) return;
      await old.remove().catch(() => undefined); // (an active task cannot be removed: add below then fails, said)
    }
    await this.queue.add(job.stage, data, {
      jobId: id,
      attempts: 3,
      backoff: { type: 'fixed', delay: 2000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async run(job: Job, tasks: Task[], hooks: RunHooks): Promise<void> {
    // the same command run again after a cancel (or after its output was removed) starts the job again
    await this.redis.del(cancelKey(job.id), finishedKey(job.id));
    for (const t of tasks) await this.enqueue(job, t);
    const open = new Map(tasks.map((t) => [taskId(job, t), t]));
    let lastWorkerCheck = 0,
      warned = '',
      failingSince = 0;
    while (open.size && !hooks.signal?.aborted) {
      try {
        await this.poll(job, open, hooks);
        failingSince = 0;
      } catch (e) {
        if (e instanceof FaceganError) throw e;
        // Redis gone for a while (a restart, the network): keep waiting, and give up after five minutes
        if (!failingSince) {
          failingSince = Date.now();
          hooks.onWarning?.(`Lost Redis at ${this.connection.display} (${(e as Error).message}); still waiting.`);
        } else if (Date.now() - failingSince > 300_000)
          throw new FaceganError(
            ErrorCodes.QUEUE,
            `Redis at ${this.connection.display} has not answered for 5 minutes (${(e as Error).message}). The ` +
              'parts done are kept: run the same command again when it is back.',
          );
      }
      if (Date.now() - lastWorkerCheck > 10_000) {
        lastWorkerCheck = Date.now();
        const w = await this.workersWarning(job.version).catch(() => ''); // (an ACL may forbid CLIENT LIST)
        if (w && w !== warned) hooks.onWarning?.(w);
        warned = w;
      }
      if (open.size) await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** One look at every open task: done ones leave `open`, failed ones fail the job, lost ones are queued again. */
  private async poll(job: Job, open: Map<string, Task>, hooks: RunHooks): Promise<void> {
    if (await this.redis.exists(cancelKey(job.id)))
      throw new FaceganError(
        ErrorCodes.QUEUE,
        `Job ${job.id} was cancelled (facegan jobs cancel); nothing was joined.`,
      );
    for (const [id, t] of [...open]) {
      const q = (await this.queue.getJob(id)) as QueuedTask<TaskData> | undefined;
      const state = q ? await q.getState() : 'missing';
      if ((state === 'completed' || state === 'missing') && taskDone(job, t)) {
        open.delete(id);
        hooks.onTask?.(t, t.size);
      } else if (state === 'failed') {
        const what = `${t.input}${t.frames ? ` frames ${t.frames.from}-${t.frames.to - 1}` : ''}`;
        throw new FaceganError(
          ErrorCodes.QUEUE,
          `Task ${t.index} of job ${job.id} (${what}) failed on ${q?.processedBy ?? 'a worker'} after ` +
            `${q?.attemptsMade} tries: ${q?.failedReason}`,
        );
      } else if (state === 'missing' || state === 'unknown' || state === 'completed') {
        // Redis lost it (restarted without persistence), or it is done but its output is not whole: again
        await this.enqueue(job, t);
      } else if (q && typeof q.progress === 'object') {
        hooks.onTask?.(t, Number((q.progress as { done?: number }).done ?? 0));
      }
    }
  }

  /** A warning when no worker of the job's version is connected, naming the versions that are. */
  private async workersWarning(version: string): Promise<string> {
    // BullMQ lists a worker's connection as bull:QUEUE:w:NAME (rawname)
    const names = (await this.queue.getWorkers()).map((w) => (w.rawname ?? '').split(':w:')[1] ?? '');
    const ours = names.filter((n) => workerVersion(n) === version).length;
    if (ours) return '';
    const others = names.filter((n) => workerVersion(n));
    return others.length
      ? `No worker of facegan ${version} is connected to ${this.connection.display}; ${others.length} of other ` +
          `versions are (${[...new Set(others.map(workerVersion))].join(', ')}), ` +
          "and they leave this job's tasks alone. " +
          `Install facegan ${version} on the workers. The tasks wait in the queue.`
      : `No worker is connected to ${this.connection.display}: start one on each machine with ` +
          `facegan worker --queue ${this.connection.display}. The tasks wait in the queue.`;
  }

  async finished(job: Job): Promise<void> {
    await this.redis.set(finishedKey(job.id), '1', 'EX', 24 * 3600).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }

  /** The queue itself, for the jobs command. */
  get bull(): Queue {
    return this.queue;
  }

  /**
   * Cancels a job: marks it (its workers stop its running tasks, its coordinator gives up) and removes its waiting
   * tasks. Returns how many were removed.
   */
  async cancel(jobId: string): Promise<number> {
    await this.redis.set(cancelKey(jobId), '1', 'EX', 24 * 3600);
    let removed = 0;
    const waiting = (await this.queue.getJobs(['waiting', 'delayed', 'prioritized'], 0, -1)) as QueuedTask<TaskData>[];
    for (const t of waiting) {
      if (t?.data?.job?.id !== jobId) continue;
      // one that became active meanwhile cannot be removed: its worker stops it at its next check
      if (
        await t.remove().then(
          () => true,
          () => false,
        )
      )
        removed++;
    }
    return removed;
  }
}
