/** facegan jobs list|status JOB|cancel JOB --queue redis://...: follow and stop jobs shared over workers. */
import { defineCommand } from './command.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { cancelJob, listJobs } from '../queue/jobs.js';

export const jobsCommand = defineCommand({
  summary: 'list, follow or cancel the jobs on a Redis queue (list | status JOB | cancel JOB)',
  details: `Examples:
  facegan jobs list --queue redis://queue-host:6379
  facegan jobs status 3f2a9c0d1e7b4a55 --queue redis://queue-host:6379
  facegan jobs cancel 3f2a9c0d1e7b4a55 --queue redis://queue-host:6379`,
  options: {
    queue: { type: 'string', help: 'the Redis of the jobs (redis://HOST:PORT); default FACEGAN_QUEUE' },
    json: { type: 'boolean', help: 'print JSON' },
  },
  async run(o, positionals) {
    const queue = o.queue ?? process.env.FACEGAN_QUEUE;
    const [action = 'list', id] = positionals;
    if (!queue)
      throw new FaceganError(ErrorCodes.USAGE, 'Missing queue (--queue redis://HOST:PORT, or FACEGAN_QUEUE).');
    if (action === 'cancel') {
      if (!id)
        throw new FaceganError(ErrorCodes.USAGE, 'facegan jobs cancel JOB: give the job id (facegan jobs list).');
      const removed = await cancelJob(queue, id);
      console.log(`job ${id} cancelled: ${removed} waiting tasks removed; running ones stop at their next check`);
      return 0;
    }
    if (action !== 'list' && action !== 'status')
      throw new FaceganError(ErrorCodes.USAGE, `Expected list, status JOB or cancel JOB, but received ${action}.`);
    const jobs = (await listJobs(queue)).filter((j) => action === 'list' || j.id === id || !id);
    if (action === 'status' && id && !jobs.length)
      throw new FaceganError(ErrorCodes.USAGE, `No job ${id} on ${queue}: facegan jobs list shows those there are.`);
    if (o.json) {
      console.log(JSON.stringify(jobs, null, 1));
      return 0;
    }
    if (!jobs.length) console.log('no jobs on the queue');
    for (const j of jobs) {
      const c = j.counts;
      console.log(
        `${j.id}  ${j.stage}  facegan ${j.version}  ${c.completed}/${j.tasks.length} done, ${c.active} running, ` +
          `${c.waiting + c.delayed + c.prioritized} waiting, ${c.failed} failed  ${j.input} -> ${j.output}`,
      );
      if (action === 'status')
        for (const t of j.tasks)
          console.log(
            `  task ${t.index}: ${t.state}${t.worker ? ` on ${t.worker}` : ''}` +
              `${t.done !== undefined && t.state === 'active' ? ` ${t.done}/${t.size} frames` : ''}` +
              `${t.error ? `: ${t.error}` : ''}`,
          );
    }
    return 0;
  },
});
