/**
 * npm run bench -- ops [--model stylegan|original] [--precision fp32|bf16] [--batch 16] [--size 64] [--device cpu]
 * What one training step issues, facegan beside PyTorch: the aten ops of one step after two warm-up steps, counted
 * on both sides by the same RecordFunction callback (facegan's countOps; bench/reference-op-counts.py runs the
 * reference in ../shared/bench unchanged). Counts, not times, so it means something on any CPU, bf16 included.
 * One JSON line: the counts by kind (casts, copies, convolutions, ...) and the ops whose counts differ most.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED } from '../src/testing/data.js';
import { pythonWithTorch } from '../src/testing/python.js';
import type { OptionSchema, Parsed } from '../src/core/options.js';
import {
  Adam,
  autocast,
  countOps,
  l1Loss,
  manualSeed,
  numThreads,
  rand,
  resolveDevice,
  tidy,
  trainStep,
} from '../src/engine/index.js';
import { OriginalModel } from '../src/models/original.js';
import { StyleDiscriminator, StyleGenerator } from '../src/models/stylegan/index.js';
import { styleganStep } from '../src/train/stylegan/step.js';

export const opsOptions = {
  model: { type: 'string', help: 'whose step', default: 'stylegan', choices: ['stylegan', 'original'] },
  precision: { type: 'string', help: 'fp32 or bf16 (autocast)', default: 'bf16', choices: ['fp32', 'bf16'] },
  batch: { type: 'int', help: 'images per batch (per side for original)', default: 16, min: 1 },
  size: { type: 'int', help: 'image side (stylegan)', default: 64, min: 8 },
  device: { type: 'string', help: 'cpu or cuda (both sides run there)', default: 'cpu', choices: ['cpu', 'cuda'] },
  top: { type: 'int', help: 'how many of the most different ops to list', default: 25, min: 0 },
} as const satisfies OptionSchema;

type Counts = Record<string, number>;
const STYLEGAN = { zDim: 256, mapping: 2, channelBase: 4096, channelMax: 256 };

/** facegan's step, as bench/stylegan-step.ts and bench/engine.ts run it. */
function oursStep(o: Parsed<typeof opsOptions>): () => unknown {
  const device = resolveDevice(o.device as 'cpu' | 'cuda'),
    kind = device === 'cpu' ? 'cpu' : 'cuda',
    bf16 = o.precision === 'bf16';
  manualSeed(0);
  if (o.model === 'original') {
    const model = new OriginalModel({ init: 'torch-default' }).to(device);
    const opt = new Adam(model, { lr: 5e-5, betas: [0.5, 0.999], eps: 1e-7 });
    const [wa, ta, wb, tb] = [0, 1, 2, 3].map(() => rand([o.batch, 3, 64, 64], { device }));
    const loss = () => l1Loss(model.forward(wa!, 'a'), ta!).add(l1Loss(model.forward(wb!, 'b'), tb!));
    return () => trainStep(opt, loss, { autocast: bf16 ? 'bfloat16' : undefined, device: kind });
  }
  const spec = { size: o.size, ...STYLEGAN };
  const G = new StyleGenerator(spec).to(device),
    D = new StyleDiscriminator(spec).to(device);
  const optG = new Adam(G, { lr: 0.0025, betas: [0, 0.99] }),
    optD = new Adam(D, { lr: 0.0025, betas: [0, 0.99] });
  const parts = {
    G,
    D,
    optG,
    optD,
    device,
    autocast: <T>(fn: () => T) => (bf16 ? autocast(kind, 'bfloat16', fn) : fn()),
  };
  const reals = tidy(() => rand([o.batch, 3, o.size, o.size], { device }).mul(2).sub(1));
  const settings = { batchSize: o.batch, seed: 0, r1Gamma: 0, r1Interval: 0, mixing: 0, emaKimg: 10 };
  let i = 0;
  return () => tidy(() => styleganStep(parts, reals, i, settings, i++ * o.batch));
}

function referenceCounts(o: Parsed<typeof opsOptions>): Counts {
  const dir = mkdtempSync(join(tmpdir(), 'facegan-ops-'));
  try {
    const out = join(dir, 'counts.json');
    const script = join(
      SHARED,
      o.model === 'original' ? 'bench/reference_original.py' : 'bench/reference_stylegan2.py',
    );
    const own =
      o.model === 'original'
        ? ['--batch', o.batch]
        : ['--size', o.size, '--batch', o.batch, '--zdim', 256, '--mapping', 2, '--cbase', 4096, '--cmax', 256];
    const args = [
      fileURLToPath(new URL('./reference-op-counts.py', import.meta.url)),
      ...(o.device === 'cpu' ? [] : ['--device', o.device]),
      out,
      script,
      ...own.map(String),
      ...['--threads', String(numThreads())],
      ...(o.precision === 'bf16' ? ['--bf16'] : []),
    ];
    const r = spawnSync(pythonWithTorch(), args, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`the reference's op count failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return JSON.parse(readFileSync(out, 'utf8')) as Counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "aten::_to_copy [16, 3] BFloat16" -> its name and its first input's element count (undefined: no tensor). */
function parse(key: string): [string, number | undefined] {
  const m = /^(.*?) \[([\d, ]*)\]/.exec(key);
  if (!m) return [key, undefined];
  return [m[1]!, m[2] ? m[2].split(', ').reduce((a, d) => a * Number(d), 1) : 1];
}

const KINDS: Record<string, (name: string, numel?: number) => boolean> = {
  'casts (_to_copy) of tensors': (n, e) => n === 'aten::_to_copy' && (e ?? 0) > 1,
  'casts (_to_copy) of 0-d/1-element scalars': (n, e) => n === 'aten::_to_copy' && (e ?? 0) <= 1,
  'copies (copy_)': (n) => n === 'aten::copy_',
  'contiguous / clone': (n) => n === 'aten::contiguous' || n === 'aten::clone',
  'convolutions forward': (n) => n === 'aten::convolution',
  'convolutions backward': (n) => n === 'aten::convolution_backward',
  'matrix products (mm, addmm, bmm)': (n) => ['aten::mm', 'aten::addmm', 'aten::bmm'].includes(n),
  'elementwise (add, sub, mul, div)': (n) => ['aten::add', 'aten::sub', 'aten::mul', 'aten::div'].includes(n),
  'optimizer (addcmul_, addcdiv_, _foreach_*)': (n) => /^aten::(addcmul_|addcdiv_|_foreach_)/.test(n),
  'host syncs (item)': (n) => n === 'aten::item',
  'backward nodes': (n) => n.startsWith('autograd::engine::evaluate_function'),
  'all aten ops': (n) => n.startsWith('aten::'),
};

function byKind(counts: Counts): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(Object.keys(KINDS).map((k) => [k, 0]));
  for (const [key, n] of Object.entries(counts)) {
    const [name, numel] = parse(key);
    for (const [kind, is] of Object.entries(KINDS)) if (is(name, numel)) out[kind]! += n;
  }
  return out;
}

const byName = (counts: Counts): Counts => {
  const out: Counts = {};
  for (const [key, n] of Object.entries(counts)) out[parse(key)[0]] = (out[parse(key)[0]] ?? 0) + n;
  return out;
};

export function benchOps(o: Parsed<typeof opsOptions>): Record<string, unknown> {
  const pytorch = referenceCounts(o);
  const step = oursStep(o);
  step();
  step();
  const { ops: facegan, calls } = countOps(step, { shapes: true });
  const [pk, fk] = [byKind(pytorch), byKind(facegan)];
  const kinds = Object.fromEntries(Object.keys(KINDS).map((k) => [k, { pytorch: pk[k], facegan: fk[k] }]));
  const [pn, fn] = [byName(pytorch), byName(facegan)];
  const differences = [...new Set([...Object.keys(pn), ...Object.keys(fn)])]
    .filter((k) => !k.startsWith('autograd::engine') && pn[k] !== fn[k])
    .map((k) => ({ op: k, pytorch: pn[k] ?? 0, facegan: fn[k] ?? 0 }))
    .sort((a, b) => Math.abs(b.facegan - b.pytorch) - Math.abs(a.facegan - a.pytorch))
    .slice(0, o.top);
  const addonCalls = Object.values(calls).reduce((a, b) => a + b, 0);
  return {
    bench: 'ops',
    model: o.model,
    precision: o.precision,
    batch: o.batch,
    device: o.device,
    kinds,
    addon_calls: addonCalls,
    differences,
  };
}
