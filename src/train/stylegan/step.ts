/**
 * One StyleGAN2 iteration (Karras et al. 2020; stylegan2-ada-pytorch's loss), on the engine:
 * - G: the non-saturating logistic loss softplus(-D(G(z))), with style mixing (probability `mixing`: from a random
 *   layer on, the styles of a second z), then the EMA generator follows;
 * - D: softplus(D(G(z))) + softplus(-D(x));
 * - every `r1Interval` iterations (lazy regularisation) R1: gamma / 2 * |grad_x D(x)|^2, times the interval.
 * `augment` (DiffAugment) is applied to every image D sees, real or fake, and must be differentiable.
 * Randomness comes from (seed, iteration) alone, so a resumed run makes the same iterations.
 */
import { type Adam, type Device, type Tensor, grad, manualSeed, noGrad, randn, tidy } from '../../engine/index.js';
import { Random, hashInts } from '../../core/random.js';
import type { Module } from '../../engine/index.js';
import type { StyleDiscriminator, StyleGenerator } from '../../models/stylegan/index.js';
import { emaBeta } from './ema.js';
import { updateEma } from '../core/ema.js';

export interface StyleGanStepSettings {
  batchSize: number;
  seed: number;
  /** R1 weight (gamma). */
  r1Gamma: number;
  /** Iterations between R1 steps (16; 0 turns R1 off). */
  r1Interval: number;
  /** Share of iterations with style mixing (0.9). */
  mixing: number;
  /** EMA half-life in thousands of images. */
  emaKimg: number;
}

export interface StyleGanParts {
  G: StyleGenerator;
  D: StyleDiscriminator;
  /** The EMA generator (absent: no EMA). */
  ema?: StyleGenerator;
  optG: Adam;
  optD: Adam;
  device: Device;
  autocast: <T>(fn: () => T) => T;
  augment?: (images: Tensor, iteration: number) => Tensor;
}

/** The running mean of w moves with this beta (stylegan2-ada-pytorch's w_avg_beta). */
export const W_AVG_BETA = 0.995;

function setTrainable(module: Module, on: boolean): void {
  for (const p of module.parameters()) p.requiresGrad_(on);
}

/** The Adam settings of a lazily regularised network: lr and betas scaled by interval / (interval + 1). */
export function lazyAdam(lr: number, betas: readonly [number, number], interval: number) {
  const ratio = interval > 0 ? interval / (interval + 1) : 1;
  return { lr: lr * ratio, betas: [betas[0] ** ratio, betas[1] ** ratio] as [number, number] };
}

/** R1: the squared norm of D's gradient at the reals, per image, averaged ([] tensor, with its graph). */
export function r1Penalty(
  D: StyleDiscriminator,
  reals: Tensor,
  parts: Pick<StyleGanParts, 'autocast' | 'augment'>,
  iteration = 0,
): Tensor {
  const x = reals.detach().requiresGrad_();
  const logits = parts.autocast(() => D.forward(parts.augment ? parts.augment(x, iteration) : x));
  const [g] = grad([logits.to('float32').sum()], [x], { createGraph: true });
  return g!.square().sum([1, 2, 3]).mean();
}

/** One iteration on reals [N, 3, S, S] in -1..1 (on the device); returns the named losses. */
export function styleganStep(
  parts: StyleGanParts,
  reals: Tensor,
  iteration: number,
  s: StyleGanStepSettings,
  seen: number,
): Record<string, number> {
  const { G, D, optG, optD } = parts;
  const n = reals.shape[0]!,
    zDim = G.spec.zDim,
    device = parts.device;
  manualSeed(hashInts(s.seed, iteration, 0x5717e)); // z and noise: a pure function of the iteration
  const rng = new Random(s.seed, iteration, 0x3a1);
  const aug = (x: Tensor) => (parts.augment ? parts.augment(x, iteration) : x);
  const mixed = (trackBeta?: number) => {
    const z = randn([n, zDim], { device });
    const mix =
      rng.next() < s.mixing ? { z: randn([n, zDim], { device }), cutoff: 1 + rng.int(G.numWs - 1) } : undefined;
    return G.ws(z, { trackBeta, mix });
  };
  const losses: Record<string, number> = {};

  setTrainable(D, false);
  optG.zeroGrad();
  const lossG = tidy(() => {
    const logits = parts.autocast(() => D.forward(aug(G.synthesis.forward(mixed(W_AVG_BETA)))));
    const l = logits.to('float32').neg().softplus().mean();
    l.backward();
    return l.item();
  });
  optG.step();
  setTrainable(D, true);
  losses.lossG = lossG;
  if (parts.ema) updateEma(parts.ema, G, emaBeta(n, seen, s.emaKimg));

  optD.zeroGrad();
  losses.lossD = tidy(() => {
    const fakes = tidy(() => noGrad(() => parts.autocast(() => G.synthesis.forward(mixed())))); // only fakes kept
    const judged = parts.autocast(() => ({ fake: D.forward(aug(fakes)), real: D.forward(aug(reals)) }));
    const l = judged.fake.to('float32').softplus().mean().add(judged.real.to('float32').neg().softplus().mean());
    l.backward();
    return l.item();
  });
  optD.step();

  if (s.r1Interval > 0 && s.r1Gamma > 0 && iteration % s.r1Interval === 0) {
    optD.zeroGrad();
    losses.r1 = tidy(() => {
      const penalty = r1Penalty(D, reals, parts, iteration);
      penalty.mul((s.r1Gamma / 2) * s.r1Interval).backward();
      return penalty.item();
    });
    optD.step();
  }
  return losses;
}
