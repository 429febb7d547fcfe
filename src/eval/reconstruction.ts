/**
 * Reconstruction figures: how well a decoder rebuilds the faces it is given (PSNR, SSIM, mean absolute error on
 * the model's crop), beside a baseline that knows nothing but the person's mean face (the mean of the same crops).
 */
import { Tensor, tensor, tidy, noGrad } from '../engine/index.js';
import { psnr, ssim } from '../models/ssim.js';
import type { Reconstruction } from './report.js';

export class ReconstructionStats {
  private readonly inputs: Float32Array[] = [];
  private readonly fits: { psnr: number; ssim: number; mae: number }[] = [];
  private shape: readonly number[] = [];

  constructor(readonly side: 'a' | 'b') {}

  /** Adds one face: the model's input x ([1, 3, S, S]) and its rebuilt output y ([1, 3 or 4, S, S]). */
  add(x: Tensor, y: Tensor): { psnr: number; ssim: number } {
    const fit = noGrad(() => tidy(() => {
      const target = x.to({ device: 'cpu', dtype: 'float32' });
      const out = y.narrow(1, 0, 3).to({ device: 'cpu', dtype: 'float32' }).clamp(0, 1);
      this.shape = target.shape;
      this.inputs.push(Float32Array.from(target.data() as Float32Array));
      return figures(out, target);
    }));
    this.fits.push(fit);
    return { psnr: fit.psnr, ssim: fit.ssim };
  }

  result(): Reconstruction | null {
    const n = this.inputs.length;
    if (!n) return null;
    const meanFace = new Float32Array(this.inputs[0]!.length);
    for (const x of this.inputs) x.forEach((v, i) => { meanFace[i]! += v / n; });
    const base = noGrad(() => tidy(() => {
      const m = tensor(meanFace, { shape: [...this.shape] });
      return this.inputs.map((x) => figures(m, tensor(x, { shape: [...this.shape] })));
    }));
    const avg = (rows: { psnr: number; ssim: number; mae: number }[], k: 'psnr' | 'ssim' | 'mae') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    return {
      side: this.side, faces: n, psnr: avg(this.fits, 'psnr'), ssim: avg(this.fits, 'ssim'), mae: avg(this.fits, 'mae'),
      baseline: { psnr: avg(base, 'psnr'), ssim: avg(base, 'ssim'), mae: avg(base, 'mae') },
    };
  }
}

function figures(y: Tensor, x: Tensor): { psnr: number; ssim: number; mae: number } {
  return { psnr: psnr(y, x).item(), ssim: ssim(y, x).item(), mae: y.sub(x).abs().mean().item() };
}
