/**
 * The generator's exponential moving average, which StyleGAN uses for every output: after each generator step,
 * ema = p + beta * (ema - p) for each parameter, and buffers (the mean w, fixed noise) are copied. Its half-life is
 * emaKimg thousand images, ramped up over the first images as stylegan2-ada-pytorch does.
 */

/** beta for one step of `batch` images, with `seen` images trained on so far (half-life min(kimg, seen * rampup)). */
export function emaBeta(batch: number, seen: number, emaKimg: number, rampup = 0.05): number {
  const halfLife = Math.max(Math.min(emaKimg * 1000, seen * rampup), 1e-8);
  return 0.5 ** (batch / halfLife);
}
