/**
 * SSIM (structural similarity) between [N, C, H, W] images in 0-1, as training's loss and eval's figure use it:
 * an 11x11 Gaussian window (sigma 1.5) per channel, C1 = 0.01^2, C2 = 0.03^2, no padding.
 */
import { type Tensor, conv2d, tidy } from '../engine/index.js';
import { constantKernel, gaussianWindow } from './filters.js';

/** 1 - SSIM per pixel ([N, C, H-10, W-10]; 11x11 Gaussian window, sigma 1.5, C1 = 0.01^2, C2 = 0.03^2). */
export function ssimError(x: Tensor, y: Tensor): Tensor {
  const c = x.shape[1]!;
  const win = constantKernel(`ssim-window-${c}`, x, () => gaussianWindow(c, 11, 1.5));
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
