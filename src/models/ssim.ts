/**
 * SSIM (structural similarity) between [N, C, H, W] images in 0-1, as training's loss and eval's figure use it:
 * an 11x11 Gaussian window (sigma 1.5) per channel, C1 = 0.01^2, C2 = 0.03^2, no padding.
 */
import { type Tensor, conv2d, tensor, tidy, keep } from '../engine/index.js';

function gaussianWindow(channels: number, size = 11, sigma = 1.5): Tensor {
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma ** 2)));
  const s = g.reduce((a, b) => a + b);
  const k = g.map((v) => v / s);
  const w = k.flatMap((a) => k.map((b) => a * b));
  return tidy(() => tensor(w).reshape(1, 1, size, size).repeat(channels, 1, 1, 1));
}

const windows = new Map<string, Tensor>();

/** 1 - SSIM per pixel ([N, C, H-10, W-10]; 11x11 Gaussian window, sigma 1.5, C1 = 0.01^2, C2 = 0.03^2). */
export function ssimError(x: Tensor, y: Tensor): Tensor {
  const c = x.shape[1]!;
  const key = `${c}:${x.device}:${x.dtype}`;
  let win = windows.get(key);
  if (!win) {
    win = keep(tidy(() => gaussianWindow(c).to({ device: x.device, dtype: x.dtype })));
    windows.set(key, win);
  }
  return tidy(() => {
    const f = (t: Tensor) => conv2d(t, win, null, { groups: c });
    const mx = f(x),
      my = f(y);
    const sxx = f(x.mul(x)).sub(mx.mul(mx)),
      syy = f(y.mul(y)).sub(my.mul(my)),
      sxy = f(x.mul(y)).sub(mx.mul(my));
    const C1 = 0.01 ** 2,
      C2 = 0.03 ** 2;
    const num = mx.mul(my).mul(2).add(C1).mul(sxy.mul(2).add(C2));
    const den = mx.square().add(my.square()).add(C1).mul(sxx.add(syy).add(C2));
    return num.div(den).neg().add(1);
  });
}

/** Mean SSIM of each image pair: [N] (1 for identical images). */
export function ssim(x: Tensor, y: Tensor): Tensor {
  return tidy(() => ssimError(x, y).mean([1, 2, 3]).neg().add(1));
}

/** PSNR in dB of each image pair ([N]; images in 0-1), capped at 100 for identical images. */
export function psnr(x: Tensor, y: Tensor): Tensor {
  return tidy(() =>
    x
      .sub(y)
      .square()
      .mean([1, 2, 3])
      .clamp(1e-10, 1)
      .log()
      .mul(-10 / Math.LN10),
  );
}
