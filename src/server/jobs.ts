/**
 * The dashboard's jobs, kept on disk in the workspace (.facegan/jobs/ID/): job.json (what to run, and what the
 * server last did with it), events.jsonl and result.json (written by the job's own process, see child.ts) and
 * log.txt (its stderr). Each job runs in a child process, so a crash cannot take the server down, and the jobs'
 * state survives a page reload and a server restart: a restarted server finds a job still running by its pid, and
 * one whose process died without a result is shown as interrupted. Heavy jobs queue: `maxRunning` at once.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { alive, lockFolder } from '../io/lock.js';
import type { JobResult } from './child.js';
import type { Workspace } from './workspace.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'stopped' | 'interrupted';

export interface JobRecord {
  id: string;
  stage: string;
  /** The options as the form gave them (paths as typed). */
  options: Record<string, unknown>;
  /** The options the stage runs with: checked, paths resolved inside the workspace. */
  resolved: Record<string, unknown>;
  state: JobState;
  /** How many times it was started (a resume starts it again). */
  run: number;
  created: string;
  started?: string;
  ended?: string;
  pid?: number;
  error?: { code?: string; message: string };
  summary?: unknown;
}

/**
 * Whether the job's process is running: its pid is alive and, where /proc tells (Linux), that pid still runs this
 * job's child (a pid reused after a reboot is not taken for it).
 */
function running(pid: number | undefined, dir: string): boolean {
  if (!pid || !alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
  } catch {
    return true; // no /proc here: the pid alone
  }
}

/** The job process's command: the compiled child, or the TypeScript one through tsx (a checkout). */
function childCommand(): string[] {
  const compiled = import.meta.url.endsWith('.js');
  const child = fileURLToPath(new URL(compiled ? './child.js' : './child.ts', import.meta.url));
  return compiled ? [child] : ['--import', import.meta.resolve('tsx'), child];
}

export class JobRunner {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly timer: NodeJS.Timeout;
  /** One server per workspace: two would both start its queued jobs. */
  private readonly release: () => void;

  constructor(
    private readonly ws: Workspace,
    private readonly maxRunning = 1,
  ) {
    mkdirSync(ws.jobsDir, { recursive: true });
    this.release = lockFolder(ws.jobsDir, `The dashboard's workspace ${ws.root}`);
    for (const id of readdirSync(ws.jobsDir)) {
      if (id.startsWith('.')) continue;
      try {
        this.jobs.set(id, JSON.parse(readFileSync(join(ws.jobsDir, id, 'job.json'), 'utf8')) as JobRecord);
      } catch {
        /* a folder without a readable job.json (made by hand, or cut short): not a job */
      }
    }
    // jobs started before a restart: still running (their process is alive), finished, or interrupted
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
    this.tick();
  }

  dir(id: string): string {
    return join(this.ws.jobsDir, id);
  }

  list(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => (a.created < b.created ? 1 : -1));
  }

  get(id: string): JobRecord {
    const j = this.jobs.get(id);
    if (!j) throw new FaceganError(ErrorCodes.NOT_FOUND, `No job ${id} in this workspace.`);
    return j;
  }

  create(stage: string, options: Record<string, unknown>, resolved: Record<string, unknown>): JobRecord {
    const id = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
    const job: JobRecord = { id, stage, options, resolved, state: 'queued', run: 0, created: new Date().toISOString() };
    mkdirSync(this.dir(id), { recursive: true });
    this.save(job);
    this.pump();
    return job;
  }

  /** Stops a job: a queued one does not start, a running one stops cleanly (training writes its checkpoint). */
  stop(id: string): JobRecord {
    const job = this.get(id);
    if (job.state === 'queued') this.save({ ...job, state: 'stopped', ended: new Date().toISOString() });
    else if (job.state === 'running' && running(job.pid, this.dir(id))) {
      try {
        process.kill(job.pid!, 'SIGINT');
      } catch {
        /* it ended meanwhile: the next tick reads its result */
      }
    }
    return this.get(id);
  }

  /** Runs a job that ended again: training resumes from its checkpoint, extract from its alignments file. */
  resume(id: string): JobRecord {
    const job = this.get(id);
    if (job.state === 'queued' || job.state === 'running')
      throw new FaceganError(ErrorCodes.USAGE, `Job ${id} is ${job.state} already.`);
    const { error: _e, summary: _s, ended: _n, pid: _p, ...rest } = job;
    this.save({ ...rest, state: 'queued' });
    this.pump();
    return this.get(id);
  }

  /** The events its process has written (progress, warnings) from byte `from` on: whole lines, at most 4 MB. */
  events(id: string, from = 0): { lines: string[]; next: number } {
    const file = join(this.dir(this.get(id).id), 'events.jsonl');
    if (!existsSync(file)) return { lines: [], next: from };
    const size = statSync(file).size;
    if (size <= from) return { lines: [], next: from };
    const buf = Buffer.alloc(Math.min(size - from, 4 << 20));
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, from);
    } finally {
      closeSync(fd);
    }
    const end = buf.lastIndexOf(10) + 1; // whole lines only
    if (!end) return { lines: [], next: from };
    return { lines: buf.subarray(0, end).toString('utf8').split('\n').filter(Boolean), next: from + end };
  }

  close(): void {
    clearInterval(this.timer);
    this.release();
  }

  private save(job: JobRecord): void {
    this.jobs.set(job.id, job);
    writeFileAtomic(join(this.dir(job.id), 'job.json'), [JSON.stringify(job, null, 1)]);
  }

  /** Brings running jobs up to date with their processes, then starts queued ones while there is room. */
  private tick(): void {
    for (const job of this.jobs.values()) {
      if (job.state !== 'running') continue;
      const result = this.result(job);
      if (result)
        this.save({
          ...job,
          state: result.state,
          ended: result.ended,
          ...(result.error ? { error: result.error } : {}),
          ...(result.summary !== undefined ? { summary: result.summary } : {}),
        });
      else if (!running(job.pid, this.dir(job.id)))
        this.save({
          ...job,
          state: 'interrupted',
          ended: new Date().toISOString(),
          error: {
            message:
              'its process ended without a result (killed, out of memory, or the machine restarted; its log.txt ' +
              'may say why): resume it',
          },
        });
    }
    this.pump();
  }

  private result(job: JobRecord): JobResult | undefined {
    try {
      const r = JSON.parse(readFileSync(join(this.dir(job.id), 'result.json'), 'utf8')) as JobResult;
      return r.run === job.run ? r : undefined;
    } catch {
      return undefined;
    }
  }

  private pump(): void {
    let running = [...this.jobs.values()].filter((j) => j.state === 'running').length;
    for (const job of [...this.jobs.values()].sort((a, b) => (a.created < b.created ? -1 : 1))) {
      if (running >= this.maxRunning) return;
      if (job.state !== 'queued') continue;
      this.start(job);
      running++;
    }
  }

  private start(job: JobRecord): void {
    const next = { ...job, run: job.run + 1, state: 'running' as const, started: new Date().toISOString() };
    this.save(next); // (the child reads its run number from job.json)
    const failed = (e: unknown) =>
      this.save({
        ...next,
        state: 'failed',
        ended: new Date().toISOString(),
        error: { message: `its process could not start: ${(e as Error).message}` },
      });
    try {
      const log = openSync(join(this.dir(job.id), 'log.txt'), 'a');
      const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
      const child = spawn(process.execPath, [...childCommand(), this.dir(job.id)], {
        stdio: ['ignore', 'ignore', log],
        env,
      });
      closeSync(log);
      child.on('error', failed);
      child.on('exit', () => this.tick());
      if (child.pid) this.save({ ...next, pid: child.pid });
    } catch (e) {
      failed(e);
    }
  }
}
