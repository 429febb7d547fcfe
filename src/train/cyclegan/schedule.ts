/**
 * CycleGAN's learning-rate schedule, counted in iterations: constant, then falling linearly to 0 over the last
 * `decay` share of the run (the paper: 100 epochs constant, 100 decaying).
 */
export function linearDecay(lr: number, iteration: number, iterations: number, decay: number): number {
  const start = Math.floor(iterations * (1 - decay));
  if (decay <= 0 || iteration <= start) return lr;
  return lr * Math.max(0, (iterations - iteration + 1) / (iterations - start + 1));
}
