/**
 * The generator's exponential moving average, which StyleGAN uses for every output: after each generator step,
 * ema = p + beta * (ema - p) for each parameter, and buffers (the mean w, fixed noise) are copied. Its half-life is
 * emaKimg thousand images, ramped up over the first images as stylegan2-ada-pytorch does.
 */
import { type Module, noGrad, tidy } from '../../engine/index.js';

/** beta for one step of `batch` images, with `seen` images trained on so far (half-life min(kimg, seen * rampup)). */
export function emaBeta(batch: number, seen: number, emaKimg: number, rampup = 0.05): number {
  const halfLife = Math.max(Math.min(emaKimg * 1000, seen * rampup), 1e-8);
  return 0.5 ** (batch / halfLife);
}

/** Moves `ema` towards `model` (same architecture) by one step of weight 1 - beta. */
export function updateEma(ema: Module, model: Module, beta: number): void {
  const params = new Map(model.namedParameters()),
    buffers = new Map(model.namedBuffers());
  tidy(() =>
    noGrad(() => {
      for (const [name, e] of ema.namedParameters()) e.copy_(params.get(name)!.detach().lerp(e, beta));
      for (const [name, e] of ema.namedBuffers()) e.copy_(buffers.get(name)!);
    }),
  );
}
