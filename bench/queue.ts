/**
 * npm run bench -- queue [--stage extract]: convert (or extract) of a long clip in one process, then shared over 1,
 * 2 and 3 worker processes through a local redis-server, side by side in one run. On one machine the workers share its
 * cores, so this measures the queue's overhead (per part, and the join), from which docs/queue.md models many machines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptionSchema } from '../src/core/options.js';
import { convert } from '../src/convert/convert.js';
import { convertJob } from '../src/queue/convert-job.js';
import { extract } from '../src/extract/extract.js';
import { extractJob } from '../src/queue/extract-job.js';
import { testTmp } from '../src/testing/faces.js';
import { tinySwapModel } from '../src/testing/swap-model.js';
import { loopedClip } from '../src/testing/long-clip.js';
import { startRedis } from '../src/testing/redis.js';

export const queueOptions = {
  stage: { type: 'string', help: 'the stage shared out', choices: ['convert', 'extract'], default: 'convert' },
  seconds: { type: 'int', help: 'length of the clip (the shared GRID clip looped)', default: 60, min: 6, max: 3600 },
  partSeconds: { type: 'number', help: 'part length', default: 10, min: 1, max: 600 },
  workers: { type: 'list', help: 'worker counts to run', default: ['1', '2', '3'] },
} as const satisfies OptionSchema;

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function startWorkers(n: number, url: string, root: string): Promise<ChildProcess[]> {
  // one worker has both cores; several share them, a thread each
  const threads = n === 1 ? '2' : '1';
  return Promise.all(
    Array.from({ length: n }, () => {
      const p = spawn(
        process.execPath,
        [join(ROOT, 'bin/facegan.js'), 'worker', '--queue', url, '--root', root, '--threads', threads],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, FACEGAN_THREADS: threads },
        },
      );
      return new Promise<ChildProcess>((res) => {
        p.stdout!.setEncoding('utf8').on('data', (s: string) => s.includes('waiting for tasks') && res(p));
      });
    }),
  );
}

/** One process's run, and the same shared over the queue, for the stage measured. */
async function stageRuns(stage: string, tmp: string, seconds: number) {
  const clip = await loopedClip(seconds);
  if (stage === 'extract') {
    const common = { input: clip.video, size: 64 };
    const out = (name: string) => ({ output: join(tmp, name), alignments: join(tmp, `${name}.alignments.json`) });
    return {
      single: async () => (await extract({ ...common, ...out('bench-single-faces') })).frames,
      job: (n: number, queue: string, partSeconds: number) =>
        extractJob({ ...common, ...out(`bench-${n}w-faces`), queue, partSeconds }),
    };
  }
  const model = join(tmp, 'bench-queue-model');
  await tinySwapModel(model);
  const common = { input: clip.video, modelDir: model, alignments: clip.alignments };
  return {
    single: async () => (await convert({ ...common, output: join(tmp, 'bench-single.mp4') })).frames,
    job: (n: number, queue: string, partSeconds: number) =>
      convertJob({ ...common, output: join(tmp, `bench-${n}w.mp4`), queue, partSeconds }),
  };
}

export async function benchQueue(o: { stage: string; seconds: number; partSeconds: number; workers: string[] }) {
  const tmp = testTmp();
  const stage = await stageRuns(o.stage, tmp, o.seconds);
  let t = performance.now();
  const frames = await stage.single();
  const singleSeconds = (performance.now() - t) / 1000;
  const redis = await startRedis();
  const runs: Record<string, unknown>[] = [];
  try {
    for (const n of o.workers.map(Number)) {
      const ws = await startWorkers(n, redis.url, tmp);
      t = performance.now();
      const s = await stage.job(n, redis.url, o.partSeconds);
      const seconds = (performance.now() - t) / 1000;
      for (const w of ws) w.kill('SIGKILL');
      runs.push({
        workers: n,
        parts: s.tasks,
        seconds: +seconds.toFixed(2),
        framesPerSecond: +(s.frames / seconds).toFixed(2),
        vsSingle: +(singleSeconds / seconds).toFixed(3),
        joinSeconds: +s.joinSeconds.toFixed(2),
        // what sharing costs per part here: the time over one process's, spread over the parts
        overheadPerPartSeconds: +((seconds - singleSeconds) / s.tasks).toFixed(2),
      });
    }
  } finally {
    await redis.stop();
  }
  return {
    bench: 'queue',
    stage: o.stage,
    frames,
    clipSeconds: o.seconds,
    partSeconds: o.partSeconds,
    single: { seconds: +singleSeconds.toFixed(2), framesPerSecond: +(frames / singleSeconds).toFixed(2) },
    runs,
  };
}
