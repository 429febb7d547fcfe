/**
 * npm run bench -- stylegan [--size 64] [--batch 16] [--steps 10] [--warmup 2] [--precisions fp32,bf16] [--device cuda]
 *                          [--flush-denormal] [--repeats N]
 * StyleGAN2 iterations on facegan's engine beside ../shared/bench/reference_stylegan2.py (PyTorch) in one command,
 * at the CPU default's shape (z 256, 2 mapping layers, channel base 4096, max 256). Each side runs in a process of
 * its own, PyTorch first, so that each peak RSS is its own; --repeats N runs N processes a side, in turn, and takes
 * the median of each figure. One JSON line: per precision both medians, the speed ratio (PyTorch s / facegan s), the
 * R1 steps and the RSS ratio (facegan / PyTorch).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED } from '../src/testing/data.js';
import { pythonWithTorch } from '../src/testing/python.js';
import type { OptionSchema, Parsed } from '../src/core/options.js';
import { referenceCommand } from './engine.js';
import { median } from './util.js';

export const styleganOptions = {
  size: { type: 'int', help: 'image side (32, 64, 128, 256)', default: 64, min: 8 },
  batch: { type: 'int', help: 'images per iteration', default: 16, min: 1 },
  warmup: { type: 'int', help: 'untimed iterations first', default: 2, min: 0 },
  steps: { type: 'int', help: 'timed iterations', default: 10, min: 1 },
  repeats: {
    type: 'int',
    help: 'processes per side, in turn: the medians are reported (peak RSS varies by 10-20% between runs)',
    default: 1,
    min: 1,
  },
  precisions: { type: 'string', help: 'precisions, comma-separated (fp32, bf16)', default: 'fp32,bf16' },
  device: { type: 'string', help: 'cpu or cuda (both sides run there)', default: 'cpu', choices: ['cpu', 'cuda'] },
  flushDenormal: { type: 'boolean', help: "flush denormal floats to zero on both sides (FTZ/DAZ; facegan's default)" },
  referenceScript: {
    type: 'string',
    help: 'the PyTorch reference script',
    default: join(SHARED, 'bench/reference_stylegan2.py'),
  },
} as const satisfies OptionSchema;

interface Run {
  median_step_s: number;
  images_per_s: number;
  r1_step_s: number;
  peak_rss_mb: number;
  engine: string;
}

function runJson(cmd: string, args: string[], what: string, env = process.env): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, env });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${what} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  process.stderr.write(`${what}: ${line}\n`);
  return JSON.parse(line) as Run;
}

/** The median of each figure over runs of one side (one run: itself). */
function medianRun(runs: Run[]): Run {
  const of = (k: 'median_step_s' | 'images_per_s' | 'r1_step_s' | 'peak_rss_mb') => median(runs.map((r) => r[k]));
  return {
    median_step_s: of('median_step_s'),
    images_per_s: of('images_per_s'),
    r1_step_s: of('r1_step_s'),
    peak_rss_mb: of('peak_rss_mb'),
    engine: runs[0]!.engine,
  };
}

const SHAPE = { zdim: 256, mapping: 2, cbase: 4096, cmax: 256 };

export function benchStylegan(o: Parsed<typeof styleganOptions>): Record<string, unknown> {
  const step = fileURLToPath(new URL('./stylegan-step.ts', import.meta.url));
  const results: Record<string, unknown>[] = [];
  for (const precision of o.precisions.split(',')) {
    const bf16 = precision === 'bf16';
    const refArgs = [
      '--size',
      o.size,
      '--batch',
      o.batch,
      '--zdim',
      SHAPE.zdim,
      '--mapping',
      SHAPE.mapping,
      '--cbase',
      SHAPE.cbase,
      '--cmax',
      SHAPE.cmax,
      '--warmup',
      o.warmup,
      '--steps',
      o.steps,
    ].map(String);
    const script = referenceCommand(o.referenceScript, o.device, o.flushDenormal === true);
    // facegan flushes denormals by default; without --flush-denormal both sides keep them, as PyTorch does
    const env = { ...process.env, FACEGAN_FLUSH_DENORMAL: o.flushDenormal ? '1' : '0' };
    const refs: Run[] = [],
      ourRuns: Run[] = [];
    for (let i = 0; i < o.repeats; i++) {
      refs.push(
        runJson(pythonWithTorch(), [...script, ...refArgs, ...(bf16 ? ['--bf16'] : [])], `PyTorch ${precision}`),
      );
      const args = [o.size, o.batch, SHAPE.zdim, SHAPE.mapping, SHAPE.cbase, SHAPE.cmax, o.warmup, o.steps];
      ourRuns.push(
        runJson(
          process.execPath,
          ['--import', 'tsx', step, ...args.map(String), precision, o.device],
          `facegan ${precision}`,
          env,
        ),
      );
    }
    const [ref, ours] = [medianRun(refs), medianRun(ourRuns)];
    const side = (r: Run, runs: Run[]) => ({
      median_step_s: r.median_step_s,
      images_per_s: r.images_per_s,
      r1_step_s: r.r1_step_s,
      peak_rss_mb: r.peak_rss_mb,
      ...(runs.length > 1 ? { peak_rss_mb_runs: runs.map((x) => x.peak_rss_mb) } : {}),
      engine: r.engine,
    });
    results.push({
      precision,
      pytorch: side(ref, refs),
      facegan: side(ours, ourRuns),
      speed_ratio: +(ref.median_step_s / ours.median_step_s).toFixed(3),
      r1_speed_ratio: +(ref.r1_step_s / ours.r1_step_s).toFixed(3),
      rss_ratio: +(ours.peak_rss_mb / ref.peak_rss_mb).toFixed(3),
    });
  }
  return {
    bench: 'stylegan',
    size: o.size,
    batch: o.batch,
    device: o.device,
    flush_denormal: o.flushDenormal === true,
    ...SHAPE,
    results,
  };
}
