/**
 * Exponential moving averages of weights, which outputs are made with where a family keeps one (StyleGAN's
 * generator, the pair models' autoencoder): after each step, ema = p + beta * (ema - p) for each parameter, and
 * buffers are copied.
 */
import { type Module, noGrad, tidy } from '../../engine/index.js';

/** Moves `ema` towards `model` (same architecture) by one step of weight 1 - beta. */
export function updateEma(ema: Module, model: Module, beta: number): void {
  const params = new Map(model.namedParameters()),
    buffers = new Map(model.namedBuffers());
  tidy(() =>
    noGrad(() => {
      // in place, one pass a tensor: lerp and copy_ took 130-165 ms a step for the original model's 82 M weights
      for (const [name, e] of ema.namedParameters()) e.lerp_(params.get(name)!, 1 - beta);
      for (const [name, e] of ema.namedBuffers()) e.copy_(buffers.get(name)!);
    }),
  );
}

/**
 * beta for one step at iteration `it` with a half-life of `halfLife` iterations, ramped up as a fifth of the
 * iterations so far (an average over a model's random start would lag it for the whole first half-life).
 */
export function iterationEmaBeta(it: number, halfLife: number): number {
  return 0.5 ** (1 / Math.max(1, Math.min(halfLife, 0.2 * it)));
}
