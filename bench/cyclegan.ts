/**
 * npm run bench -- cyclegan [--steps 10] [--warmup 2] [--configs reference,cpu] [--precisions fp32,bf16]
 *                          [--device cuda]
 * One CycleGAN training iteration on facegan's engine beside ../shared/bench/reference_cyclegan.py (PyTorch), in
 * the same command, for the paper's model (256 px, ngf 64, 9 blocks, batch 1) and the CPU default (64 px, ngf 32,
 * 6 blocks), in fp32 and bf16 autocast. Each side runs in a process of its own, PyTorch first, so that each peak
 * RSS is its own. One JSON line: per configuration both medians, the speed ratio (PyTorch s / facegan s) and the
 * RSS ratio (facegan / PyTorch).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED } from '../src/testing/data.js';
import { pythonWithTorch } from '../src/testing/python.js';
import type { OptionSchema, Parsed } from '../src/core/options.js';
import { referenceCommand } from './engine.js';

const CONFIGS = {
  reference: { size: 256, ngf: 64, ndf: 64, blocks: 9, batch: 1 },
  cpu: { size: 64, ngf: 32, ndf: 64, blocks: 6, batch: 1 },
} as const;

export const cycleganOptions = {
  warmup: { type: 'int', help: 'untimed iterations first', default: 2, min: 0 },
  steps: { type: 'int', help: 'timed iterations', default: 10, min: 1 },
  configs: {
    type: 'string',
    help: `configurations, comma-separated (${Object.keys(CONFIGS).join(', ')})`,
    default: 'reference,cpu',
  },
  precisions: { type: 'string', help: 'precisions, comma-separated (fp32, bf16)', default: 'fp32,bf16' },
  device: { type: 'string', help: 'cpu or cuda (both sides run there)', default: 'cpu', choices: ['cpu', 'cuda'] },
  referenceScript: {
    type: 'string',
    help: 'the PyTorch reference script',
    default: join(SHARED, 'bench/reference_cyclegan.py'),
  },
} as const satisfies OptionSchema;

interface Run {
  median_step_s: number;
  images_per_s: number;
  peak_rss_mb: number;
  engine: string;
}

function runJson(cmd: string, args: string[], what: string): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(
      `${what} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` +
        (what.startsWith('PyTorch') ? " (it needs Debian's python3-torch: sudo apt-get install -y python3-torch)" : ''),
    );
  }
  process.stderr.write(`${what}: ${line}\n`);
  return JSON.parse(line) as Run;
}

export function benchCyclegan(o: Parsed<typeof cycleganOptions>): Record<string, unknown> {
  const py = pythonWithTorch();
  const step = fileURLToPath(new URL('./cyclegan-step.ts', import.meta.url));
  const results: Record<string, unknown>[] = [];
  for (const name of o.configs.split(',')) {
    const c = CONFIGS[name as keyof typeof CONFIGS];
    if (!c) throw new Error(`Expected configurations among ${Object.keys(CONFIGS).join(', ')} but received ${name}`);
    for (const precision of o.precisions.split(',')) {
      const bf16 = precision === 'bf16';
      const ref = runJson(
        py,
        [
          ...referenceCommand(o.referenceScript, o.device),
          '--size',
          String(c.size),
          '--ngf',
          String(c.ngf),
          '--ndf',
          String(c.ndf),
          '--blocks',
          String(c.blocks),
          '--batch',
          String(c.batch),
          '--warmup',
          String(o.warmup),
          '--steps',
          String(o.steps),
          ...(bf16 ? ['--bf16'] : []),
        ],
        `PyTorch ${name} ${precision}`,
      );
      const ours = runJson(
        process.execPath,
        [
          '--import',
          'tsx',
          step,
          ...[c.size, c.ngf, c.ndf, c.blocks, c.batch, o.warmup, o.steps].map(String),
          precision,
          o.device,
        ],
        `facegan ${name} ${precision}`,
      );
      results.push({
        config: name,
        ...c,
        precision,
        pytorch: {
          median_step_s: ref.median_step_s,
          images_per_s: ref.images_per_s,
          peak_rss_mb: ref.peak_rss_mb,
          engine: ref.engine,
        },
        facegan: {
          median_step_s: ours.median_step_s,
          images_per_s: ours.images_per_s,
          peak_rss_mb: ours.peak_rss_mb,
          engine: ours.engine,
        },
        speed_ratio: +(ref.median_step_s / ours.median_step_s).toFixed(3),
        rss_ratio: +(ours.peak_rss_mb / ref.peak_rss_mb).toFixed(3),
      });
    }
  }
  return { bench: 'cyclegan', results };
}
