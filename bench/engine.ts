/**
 * npm run bench:engine -- [--steps 10] [--warmup 2] [--rounds 1] [--batch 16] [--bf16] [--channels-last]
 *                         [--device cpu|cuda] [--reference-script PATH] [--no-reference]
 * Times training steps of faceswap's original model on facegan's engine and, in the same command, runs the
 * PyTorch reference (../shared/bench/reference_original.py), alternating rounds, and prints one JSON line:
 * both examples/s, the speed ratio, and both peak RSS. On cuda the reference runs unchanged on the GPU through
 * bench/reference-run.py; each step of both sides ends by reading the loss, which waits for the GPU.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED } from '../src/testing/data.js';
import { pythonWithTorch } from '../src/testing/python.js';
import { Adam, rand, numThreads, manualSeed, l1Loss, libtorchVersion, trainStep } from '../src/engine/index.js';
import type { Device } from '../src/engine/index.js';
import { checkDeviceAvailable } from '../src/engine/runtime.js';
import { OriginalModel } from '../src/models/original.js';
import { median, peakRssMb } from './util.js';
import type { OptionSchema, Parsed } from '../src/core/options.js';

export const DEFAULT_REFERENCE = join(SHARED, 'bench/reference_original.py');
/** Runs a reference script of ../shared/bench on a GPU, or with denormals flushed, without changing it. */
export const REFERENCE_RUN = fileURLToPath(new URL('./reference-run.py', import.meta.url));

/** The command line that runs a reference on this device, with denormals flushed or not. */
export function referenceCommand(script: string, device: string, flushDenormal = false): string[] {
  if (device === 'cpu' && !flushDenormal) return [script];
  const options = [...(device === 'cpu' ? [] : ['--device', device]), ...(flushDenormal ? ['--flush-denormal'] : [])];
  return [REFERENCE_RUN, ...options, script];
}

interface Side {
  step_s: number[];
  median_step_s: number;
  examples_per_s: number;
  peak_rss_mb: number;
}

export function runReference(
  path: string,
  batch: number,
  warmup: number,
  steps: number,
  threads: number,
  bf16 = false,
  device: Device = 'cpu',
): Side & { engine: string } {
  const py = pythonWithTorch();
  const script = referenceCommand(path, device);
  const args = [...script, '--batch', String(batch), '--warmup', String(warmup), '--steps', String(steps)];
  args.push('--threads', String(threads));
  const r = spawnSync(py, [...args, ...(bf16 ? ['--bf16'] : [])], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(
      `the PyTorch reference failed (${path}): ${r.stderr.trim().split('\n').pop()}. ` +
        "It needs Debian's python3-torch: sudo apt-get install -y python3-torch (or pass --no-reference).",
    );
  }
  return JSON.parse(line) as Side & { engine: string };
}

export const engineOptions = {
  batch: { type: 'int', help: 'batch size per side', default: 16, min: 1 },
  warmup: { type: 'int', help: 'untimed steps first', default: 2, min: 0 },
  steps: { type: 'int', help: 'timed steps per round', default: 10, min: 1 },
  rounds: { type: 'int', help: 'rounds, alternating PyTorch and facegan', default: 1, min: 1 },
  bf16: { type: 'boolean', help: 'train under bf16 autocast' },
  channelsLast: { type: 'boolean', help: 'channels-last input layout' },
  onePass: {
    type: 'boolean',
    help: "the shared encoder once over both sides' faces, as facegan train does (off: once a side, as the reference)",
  },
  device: { type: 'string', help: 'cpu or cuda (both sides run there)', default: 'cpu', choices: ['cpu', 'cuda'] },
  referenceScript: { type: 'string', help: 'the PyTorch reference script', default: DEFAULT_REFERENCE },
  noReference: { type: 'boolean', help: 'skip the PyTorch reference' },
} as const satisfies OptionSchema;

export function benchEngine(o: Parsed<typeof engineOptions>): Record<string, unknown> {
  const { batch, warmup, steps, rounds, referenceScript: reference } = o;
  const bf16 = o.bf16 === true,
    channelsLast = o.channelsLast === true;
  const threads = numThreads();
  const device = checkDeviceAvailable(o.device as Device);

  manualSeed(0);
  const model = new OriginalModel({ init: 'torch-default' }).to(device);
  const opt = new Adam(model, { lr: 5e-5, betas: [0.5, 0.999], eps: 1e-7 });
  const layout = channelsLast ? 'channels-last' : 'contiguous';
  const inputs = [0, 1, 2, 3].map(() => rand([batch, 3, 64, 64], { device }).contiguous(layout));
  const [warpedA, targetA, warpedB, targetB] = inputs as [
    (typeof inputs)[0],
    (typeof inputs)[0],
    (typeof inputs)[0],
    (typeof inputs)[0],
  ];

  const loss = () => {
    if (!o.onePass)
      return l1Loss(model.forward(warpedA, 'a'), targetA).add(l1Loss(model.forward(warpedB, 'b'), targetB));
    const y = model.forwardPair(warpedA, warpedB);
    return l1Loss(y.a, targetA).add(l1Loss(y.b, targetB));
  };
  const step = (): number =>
    trainStep(opt, loss, { autocast: bf16 ? 'bfloat16' : undefined, device: device === 'cpu' ? 'cpu' : 'cuda' });

  const ours: number[] = [];
  const refs: (Side & { engine: string })[] = [],
    refsBf16: (Side & { engine: string })[] = [];
  let lastLoss = NaN;
  for (let r = 0; r < rounds; r++) {
    if (!o.noReference) refs.push(runReference(reference, batch, warmup, steps, threads, false, device));
    // facegan in bf16 is also set beside PyTorch's own bf16 autocast: the fair peer
    if (!o.noReference && bf16) refsBf16.push(runReference(reference, batch, warmup, steps, threads, true, device));
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      lastLoss = step();
      const s = (performance.now() - t0) / 1000;
      if (i >= warmup) ours.push(s);
      process.stderr.write(`facegan round ${r} step ${i} ${s.toFixed(3)}s loss ${lastLoss.toFixed(5)}\n`);
    }
  }
  const med = median(ours);
  const facegan = {
    engine:
      `facegan libtorch ${libtorchVersion()}${bf16 ? ' bf16-autocast' : ''}` +
      `${channelsLast ? ' channels-last' : ''}${o.onePass ? ' one encoder pass' : ''}`,
    step_s: ours.map((s) => +s.toFixed(4)),
    median_step_s: +med.toFixed(4),
    examples_per_s: +((2 * batch) / med).toFixed(2),
    peak_rss_mb: peakRssMb(),
    final_loss: +lastLoss.toFixed(5),
  };
  const out: Record<string, unknown> = {
    bench: 'engine',
    model: 'original',
    device,
    params: model.numParameters(),
    batch_per_side: batch,
    threads,
    facegan,
  };
  if (refs.length) {
    const refSteps = refs.flatMap((r) => r.step_s);
    const refMed = median(refSteps);
    const pytorch = {
      engine: refs[0]!.engine,
      step_s: refSteps,
      median_step_s: +refMed.toFixed(4),
      examples_per_s: +((2 * batch) / refMed).toFixed(2),
      peak_rss_mb: Math.max(...refs.map((r) => r.peak_rss_mb)),
    };
    Object.assign(out, {
      pytorch,
      speed_ratio: +(pytorch.median_step_s / facegan.median_step_s).toFixed(3),
      rss_ratio: +(facegan.peak_rss_mb / pytorch.peak_rss_mb).toFixed(3),
    });
  }
  if (refsBf16.length) {
    const m = median(refsBf16.flatMap((r) => r.step_s));
    Object.assign(out, {
      pytorch_bf16: {
        engine: refsBf16[0]!.engine,
        median_step_s: +m.toFixed(4),
        examples_per_s: +((2 * batch) / m).toFixed(2),
        peak_rss_mb: Math.max(...refsBf16.map((r) => r.peak_rss_mb)),
      },
      speed_ratio_bf16_vs_pytorch_bf16: +(m / facegan.median_step_s).toFixed(3),
    });
  }
  return out;
}
