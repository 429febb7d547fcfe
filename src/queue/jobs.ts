/**
 * Following and stopping jobs on the queue (facegan jobs list|status|cancel): the tasks BullMQ holds, grouped by
 * facegan job. Cancelling removes the tasks still waiting and marks the job, so that workers stop its running tasks
 * and its coordinator gives up instead of queueing them again.
 */
import type { Job as QueuedTask } from 'bullmq';
import { BullBackend, type TaskData } from './backends.js';

const STATES = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'] as const;
type State = (typeof STATES)[number];

export interface JobStatus {
  id: string;
  stage: string;
  version: string;
  input: string;
  output: string;
  counts: Record<State, number>;
  tasks: { index: number; state: State; worker?: string; done?: number; size: number; error?: string }[];
}

async function withQueue<T>(url: string, work: (b: BullBackend) => Promise<T>): Promise<T> {
  const backend = await BullBackend.open(url);
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/**
 * Every facegan job with tasks on the queue, newest tasks first.
 * @example
 * for (const j of await listJobs('redis://queue-host:6379')) console.log(j.id, j.stage, j.counts);
 */
export function listJobs(url: string): Promise<JobStatus[]> {
  return withQueue(url, async ({ bull: q }) => {
    const jobs = new Map<string, JobStatus>();
    for (const state of STATES) {
      for (const t of (await q.getJobs([state], 0, -1)) as QueuedTask<TaskData>[]) {
        if (!t?.data?.job) continue;
        const { job, task } = t.data;
        let s = jobs.get(job.id);
        if (!s) {
          const counts = Object.fromEntries(STATES.map((k) => [k, 0])) as Record<State, number>;
          s = {
            id: job.id,
            stage: job.stage,
            version: job.version,
            input: job.options.input,
            output: job.options.output,
            counts,
            tasks: [],
          };
          jobs.set(job.id, s);
        }
        s.counts[state]++;
        const progress = typeof t.progress === 'object' ? (t.progress as { done?: number }).done : undefined;
        s.tasks.push({
          index: task.index,
          state,
          size: task.size,
          ...(t.processedBy ? { worker: t.processedBy } : {}),
          ...(progress !== undefined ? { done: progress } : {}),
          ...(t.failedReason ? { error: t.failedReason } : {}),
        });
      }
    }
    for (const s of jobs.values()) s.tasks.sort((a, b) => a.index - b.index);
    return [...jobs.values()];
  });
}

/** Cancels a job: its waiting tasks are removed, its running ones stopped by their workers. Returns tasks removed. */
export function cancelJob(url: string, jobId: string): Promise<number> {
  return withQueue(url, (backend) => backend.cancel(jobId));
}
