/**
 * npm run bench -- bf16 [--steps 60] [--lr 1e-4] [--batch 16]
 * Is bf16 autocast safe for training? Trains faceswap's original model twice from the same initial weights on the
 * same batches (smooth synthetic images to reconstruct), once in float32 and once under bf16 autocast, and prints
 * both loss curves (every 10th step), how far each fell, and the largest gap between them.
 */
import { Adam, rand, manualSeed, l1Loss, interpolate, keep, trainStep, type Tensor } from '../src/engine/index.js';
import { OriginalModel } from '../src/models/original.js';
import type { OptionSchema, Parsed } from '../src/core/options.js';

export const bf16Options = {
  steps: { type: 'int', help: 'training steps of each run', default: 60, min: 1 },
  batch: { type: 'int', help: 'batch size per side', default: 16, min: 1 },
  lr: { type: 'number', help: 'Adam learning rate', default: 1e-4, min: 0 },
} as const satisfies OptionSchema;

export function benchBf16(o: Parsed<typeof bf16Options>): Record<string, unknown> {
  const { steps, batch, lr } = o;
  // Smooth images (8x8 noise upsampled): learnable structure, unlike pixel noise.
  manualSeed(1);
  const batches: Tensor[] = [0, 1, 2, 3].map(() =>
    keep(interpolate(rand([batch, 3, 8, 8]), { size: [64, 64], mode: 'bilinear' })),
  );
  const run = (bf16: boolean): number[] => {
    manualSeed(0);
    const model = new OriginalModel({ init: 'he-uniform' });
    const opt = new Adam(model, { lr, betas: [0.5, 0.999], eps: 1e-7 });
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const a = batches[(2 * i) % 4]!,
        b = batches[(2 * i + 1) % 4]!;
      losses.push(
        trainStep(opt, () => l1Loss(model.forward(a, 'a'), a).add(l1Loss(model.forward(b, 'b'), b)), {
          autocast: bf16 ? 'bfloat16' : undefined,
        }),
      );
      if (i % 10 === 0) process.stderr.write(`${bf16 ? 'bf16' : 'fp32'} step ${i} loss ${losses[i]!.toFixed(5)}\n`);
    }
    opt.dispose();
    model.dispose();
    return losses;
  };
  const fp32 = run(false);
  const bf16 = run(true);
  const every10 = (xs: number[]) => xs.filter((_, i) => i % 10 === 0 || i === xs.length - 1).map((x) => +x.toFixed(5));
  const gap = Math.max(...fp32.map((x, i) => Math.abs(x - bf16[i]!) / x));
  return {
    bench: 'bf16',
    model: 'original',
    steps,
    lr,
    batch_per_side: batch,
    fp32_loss: every10(fp32),
    bf16_loss: every10(bf16),
    fp32_fell_to: +(fp32.at(-1)! / fp32[0]!).toFixed(3),
    bf16_fell_to: +(bf16.at(-1)! / bf16[0]!).toFixed(3),
    max_relative_gap: +gap.toFixed(4),
    all_finite: bf16.every(Number.isFinite),
  };
}
