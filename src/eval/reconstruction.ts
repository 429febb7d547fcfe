/**
 * Reconstruction figures: how well a decoder rebuilds the faces it is given (PSNR, SSIM, mean absolute error on
 * the model's crop), beside a baseline that knows nothing but the person's mean face (the mean of the same crops).
 */
import { type Tensor, tensor, tidy, noGrad } from '../engine/index.js';
import { psnr, ssim } from '../models/ssim.js';
import type { Reconstruction } from './report.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export class ReconstructionStats {
  private readonly inputs: Float32Array[] = [];
  private readonly fits: { psnr: number; ssim: number; mae: number }[] = [];
  private shape: readonly number[] = [];

  constructor(readonly side: 'a' | 'b') {}

  /** Adds one face: the model's input x (planar pixels, [3, S, S]) and its rebuilt output y ([1, 3 or 4, S, S]). */
  add(x: Float32Array, y: Tensor): { psnr: number; ssim: number } {
    const fit = noGrad(() =>
      tidy(() => {
        const out = y.narrow(1, 0, 3).to({ device: 'cpu', dtype: 'float32' }).clamp(0, 1);
        const S = Math.round(Math.sqrt(x.length / 3));
        this.shape = [1, 3, S, S];
        this.inputs.push(x);
        return figures(out, tensor(x, { shape: [...this.shape] }));
      }),
    );
    this.fits.push(fit);
    return { psnr: fit.psnr, ssim: fit.ssim };
  }

  /** The figures, beside the mean of these crops (the oracle) and `template`, a mean of other crops when given. */
  result(template?: Float32Array): Reconstruction | null {
    const n = this.inputs.length;
    if (!n) return null;
    const against = (m: Float32Array) => {
      const rows = noGrad(() =>
        tidy(() => {
          const mt = tensor(m, { shape: [...this.shape] });
          return this.inputs.map((x) => figures(mt, tensor(x, { shape: [...this.shape] })));
        }),
      );
      return { psnr: avg(rows, 'psnr'), ssim: avg(rows, 'ssim'), mae: avg(rows, 'mae') };
    };
    return {
      side: this.side,
      faces: n,
      psnr: avg(this.fits, 'psnr'),
      ssim: avg(this.fits, 'ssim'),
      mae: avg(this.fits, 'mae'),
      baseline: against(meanOf(this.inputs)),
      template: template ? against(sameLength(template, this.inputs[0]!.length)) : null,
    };
  }
}

type Figures = { psnr: number; ssim: number; mae: number };
const avg = (rows: Figures[], k: keyof Figures) => rows.reduce((s, r) => s + r[k], 0) / rows.length;

function sameLength(x: Float32Array, n: number): Float32Array {
  if (x.length !== n)
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      `Expected a template of ${n} values (the model's input) but received ${x.length}.`,
    );
  return x;
}

/** The elementwise mean of equally long arrays. */
export function meanOf(xs: readonly Float32Array[]): Float32Array {
  const m = new Float32Array(xs[0]!.length);
  for (const x of xs)
    x.forEach((v, i) => {
      m[i]! += v / xs.length;
    });
  return m;
}

function figures(y: Tensor, x: Tensor): { psnr: number; ssim: number; mae: number } {
  return { psnr: psnr(y, x).item(), ssim: ssim(y, x).item(), mae: y.sub(x).abs().mean().item() };
}
