/**
 * npm run bench:train -- [--steps 10] [--warmup 2] [--batch 16] [--precision fp32|bf16] [--no-reference]
 * The whole `facegan train` loop (background loader with augmentation, SSIM + MSE loss with the eye/mouth weights,
 * Adam, no checkpoints in the timed part) on faceswap's original model and real faces, beside the PyTorch reference
 * (../shared/bench/reference_original.py: the bare model step, random inputs, MAE) in the same command. One JSON line:
 * examples/s of both, their ratio, and both peak RSS.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OptionSchema, Parsed } from '../src/core/options.js';
import { sharedData } from '../src/testing/data.js';
import { extract } from '../src/extract/extract.js';
import { train } from '../src/train/trainer.js';
import { libtorchVersion, numThreads } from '../src/engine/index.js';
import { DEFAULT_REFERENCE, runReference } from './engine.js';
import { median, peakRssMb } from './util.js';

export const trainOptions = {
  batch: { type: 'int', help: 'batch size per side', default: 16, min: 1 },
  warmup: { type: 'int', help: 'untimed iterations first', default: 2, min: 0 },
  steps: { type: 'int', help: 'timed iterations', default: 10, min: 1 },
  precision: { type: 'string', help: 'facegan train --precision', default: 'fp32', choices: ['fp32', 'bf16'] as const },
  faces: {
    type: 'int',
    help: 'faces per side (extracted from the shared GRID frames first)',
    default: 48,
    min: 8,
    max: 75,
  },
  referenceScript: { type: 'string', help: 'the PyTorch reference script', default: DEFAULT_REFERENCE },
  noReference: { type: 'boolean', help: 'skip the PyTorch reference' },
} as const satisfies OptionSchema;

async function facesOf(name: string, count: number, tmp: string): Promise<string> {
  const frames = join(tmp, `${name}-frames`),
    faces = join(tmp, `${name}-faces`);
  mkdirSync(frames);
  for (const f of readdirSync(sharedData('faces', name)).sort().slice(0, count))
    symlinkSync(join(sharedData('faces', name), f), join(frames, f));
  await extract({
    input: frames,
    output: faces,
    alignments: join(tmp, `${name}.alignments.json`),
    size: 128,
    identity: false,
  });
  return faces;
}

export async function benchTrain(o: Parsed<typeof trainOptions>): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(join(tmpdir(), 'facegan-bench-train-'));
  const threads = numThreads();
  try {
    const [a, b] = [await facesOf('grid_s1', o.faces, tmp), await facesOf('grid_s2', o.faces, tmp)];
    const reference = o.noReference ? undefined : runReference(o.referenceScript, o.batch, o.warmup, o.steps, threads);
    // in bf16, also PyTorch's own bf16 autocast: the fair peer
    const referenceBf16 =
      o.noReference || o.precision !== 'bf16'
        ? undefined
        : runReference(o.referenceScript, o.batch, o.warmup, o.steps, threads, true);
    const times: number[] = [];
    let last = performance.now();
    const total = o.warmup + o.steps;
    await train({
      a,
      b,
      modelDir: join(tmp, 'model'),
      model: 'original',
      batchSize: o.batch,
      iterations: total,
      precision: o.precision,
      saveEvery: 1_000_000,
      previewEvery: 1_000_000,
      logEvery: 1_000_000,
      onProgress: (p) => {
        const now = performance.now();
        if (p.done > o.warmup) times.push((now - last) / 1000);
        process.stderr.write(
          `facegan iteration ${p.done} ${((now - last) / 1000).toFixed(3)}s ` +
            `loss ${p.figures.lossA!.toFixed(4)} ${p.figures.lossB!.toFixed(4)}\n`,
        );
        last = now;
      },
    });
    const med = median(times);
    const facegan = {
      engine: `facegan train, libtorch ${libtorchVersion()}, ${o.precision}`,
      step_s: times.map((s) => +s.toFixed(4)),
      median_step_s: +med.toFixed(4),
      examples_per_s: +((2 * o.batch) / med).toFixed(2),
      peak_rss_mb: peakRssMb(),
    };
    const out: Record<string, unknown> = {
      bench: 'train',
      model: 'original',
      batch_per_side: o.batch,
      threads,
      facegan,
    };
    if (reference) {
      Object.assign(out, {
        pytorch: {
          engine: reference.engine,
          median_step_s: reference.median_step_s,
          examples_per_s: reference.examples_per_s,
          peak_rss_mb: reference.peak_rss_mb,
        },
        speed_ratio: +(reference.median_step_s / facegan.median_step_s).toFixed(3),
      });
    }
    if (referenceBf16) {
      Object.assign(out, {
        pytorch_bf16: {
          engine: referenceBf16.engine,
          median_step_s: referenceBf16.median_step_s,
          examples_per_s: referenceBf16.examples_per_s,
          peak_rss_mb: referenceBf16.peak_rss_mb,
        },
        speed_ratio_bf16_vs_pytorch_bf16: +(referenceBf16.median_step_s / facegan.median_step_s).toFixed(3),
      });
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
