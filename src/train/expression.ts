/**
 * The pair family's expression loss (--expression-weight): a small probe (models/expression-probe.ts), trained beside
 * the model on real faces of both sides, reads how open each face's mouth is; each swapped face should read as open
 * as the face it came from, moved into the other person's range. Its gradient reaches the encoder alone: the decoders
 * learn only from real faces, so they cannot learn to paint what the probe reads.
 */
import { cat, grad, tidy, type Adam, type Tensor } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { mouthOpening } from '../faces/expression.js';
import { ExpressionProbe } from '../models/expression-probe.js';
import type { PairAutoencoder } from '../models/autoencoder.js';
import type { FaceSource } from './augment.js';
import type { Side } from './batches.js';

/** The probe's readings are the mouth's opening in mean-face units times this (about 0-2). */
export const MOUTH_SCALE = 10;
/** Iterations over which the loss's weight rises from 0, while the probe learns to read. */
const RAMP = 500;
/** The probe's learning rate (a small network that must learn to read within a few hundred steps). */
export const PROBE_LR = 1e-3;

type ToDevice = (data: Float32Array, shape: number[]) => Tensor;

interface Range {
  mean: number;
  sd: number;
}

/** Mean squared error of readings against labels, over the labels that exist (NaN: unknown); 0 when none do. */
export function labelledMse(toDevice: ToDevice, reading: Tensor, labels: readonly number[]): Tensor {
  const known = labels.map((v): number => (Number.isNaN(v) ? 0 : 1));
  const count = known.reduce((s, v) => s + v, 0);
  const target = toDevice(
    Float32Array.from(labels, (v) => (Number.isNaN(v) ? 0 : v)),
    [labels.length],
  );
  const weight = toDevice(Float32Array.from(known), [labels.length]);
  return reading.sub(target).square().mul(weight).sum().div(Math.max(1, count));
}

function range(labels: Float32Array): Range {
  const known = labels.filter((v) => !Number.isNaN(v));
  const mean = known.reduce((s, v) => s + v, 0) / known.length;
  const sd = Math.sqrt(known.reduce((s, v) => s + (v - mean) ** 2, 0) / known.length);
  return { mean, sd: Math.max(sd, 1e-3) };
}

/** Refuses, with what to do, faces of a side of which none has landmarks (the probe's labels). */
export function checkExpressionFaces(faces: Record<Side, readonly FaceSource[]>): void {
  for (const side of ['a', 'b'] as const) {
    if (!faces[side].some((f) => f.landmarks)) {
      throw new FaceganError(
        ErrorCodes.USAGE,
        `--expression-weight needs faces with landmarks, and none of side ${side.toUpperCase()}'s have them: ` +
          'extract them with facegan extract, or train with --expression-weight 0.',
      );
    }
  }
}

export class ExpressionLoss {
  readonly probe: ExpressionProbe;
  /** Each face's reading from its landmarks (NaN where it has none). */
  readonly labels: Record<Side, Float32Array>;
  readonly #ranges: Record<Side, Range>;

  /** For the faces of both sides, at the model's size. */
  constructor(faces: Record<Side, readonly FaceSource[]>, size: number) {
    this.probe = new ExpressionProbe(size);
    checkExpressionFaces(faces);
    const read = (f: readonly FaceSource[]) =>
      Float32Array.from(f, (s) => (s.landmarks ? mouthOpening(s.landmarks) * MOUTH_SCALE : NaN));
    this.labels = { a: read(faces.a), b: read(faces.b) };
    this.#ranges = { a: range(this.labels.a), b: range(this.labels.b) };
  }

  #since?: number;

  /**
   * The share of the weight at an iteration: rising over the RAMP iterations after the probe began to learn (the
   * first iteration of a run, or of the resumed run that turned the loss on).
   */
  ramp(iteration: number): number {
    if (this.#since === undefined) {
      this.#since = this.probe.since.item();
      if (this.#since < 0) this.probe.since.fill_((this.#since = iteration - 1));
    }
    return Math.min(1, (iteration - this.#since) / RAMP);
  }

  /**
   * What these faces of `from` should read once swapped into the other person: their openings moved from their own
   * person's range to the other's (as many spreads from the mean), so that a wide-mouthed speaker's widest opening
   * asks for the other person's widest, not for a mouth that person never showed.
   */
  swapTargets(from: Side, faces: readonly number[]): number[] {
    const [own, other] = [this.#ranges[from], this.#ranges[from === 'a' ? 'b' : 'a']];
    return faces.map((f) => other.mean + ((this.labels[from][f]! - own.mean) / own.sd) * other.sd);
  }

  /**
   * The loss of swapped faces, and a surrogate whose gradient carries it to the encoder alone. `codes`: the shared
   * codes of a batch (A's faces, then B's from `facesA` on); the first k.a of A's are decoded as B and the first k.b
   * of B's as A, again from detached codes, so that neither decoder nor the probe is moved; `targets`: swapTargets of
   * those faces, A's then B's.
   */
  swapTerm(
    toDevice: ToDevice,
    model: PairAutoencoder,
    codes: Tensor,
    facesA: number,
    k: Record<Side, number>,
    targets: readonly number[],
  ): { value: Tensor; surrogate: Tensor } {
    if (targets.length !== k.a + k.b)
      throw new Error(`swapTerm: ${targets.length} targets for ${k.a} + ${k.b} swapped faces`);
    // decoded again, beside forwardPair's swaps for the cycle: the decoders must not see this loss's gradient
    const z = cat([codes.narrow(0, 0, k.a), codes.narrow(0, facesA, k.b)], 0);
    const free = z.detach().requiresGrad_(true);
    const value = tidy(() => {
      const swapped = cat(
        [model.dec_b.forward(free.narrow(0, 0, k.a)), model.dec_a.forward(free.narrow(0, k.a, k.b))],
        0,
      );
      const face = model.mask ? swapped.narrow(1, 0, 3) : swapped;
      return labelledMse(toDevice, this.probe.forward(face).to('float32'), targets);
    });
    const [g] = grad(value, [free]);
    const surrogate = tidy(() => z.mul(g!.to(z.dtype)).to('float32').sum());
    for (const t of [free, g!, z]) t.dispose();
    return { value: value.detach(), surrogate };
  }

  /**
   * The probe's own update, on real faces (`images`, [N, 3, S, S]) against their landmarks' readings (`faces`: which
   * face of each side, in the images' order); `cast` runs the probe under the step's autocast.
   */
  fitProbe(
    opt: Adam,
    toDevice: ToDevice,
    images: Tensor,
    faces: Record<Side, readonly number[]>,
    cast: <T>(fn: () => T) => T,
  ): Tensor {
    opt.zeroGrad();
    const reading = cast(() => tidy(() => this.probe.forward(images).to('float32')));
    const labels = [...faces.a.map((f) => this.labels.a[f]!), ...faces.b.map((f) => this.labels.b[f]!)];
    const l = labelledMse(toDevice, reading, labels);
    l.backward();
    opt.step();
    return l;
  }
}
