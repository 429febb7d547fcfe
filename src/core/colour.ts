/** sRGB <-> CIE Lab (D65), per pixel on 0-1 floats: for colour augmentation and colour matching. */

const exactLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const exactGamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);

/**
 * The two transfer curves on [0, 1] as tables read with linear interpolation: 3-4x faster than Math.pow per
 * pixel (colour matching in convert, colour augmentation in training), within 1e-5 of the exact curves. Values
 * outside [0, 1] take the exact formula.
 */
const TABLE = 8192;
const table = (fn: (c: number) => number) =>
  Float64Array.from({ length: TABLE + 2 }, (_, i) => fn(Math.min(1, i / TABLE)));
const LINEAR = table(exactLinear),
  GAMMA = table(exactGamma);
const lookup = (t: Float64Array, exact: (c: number) => number) => (c: number) => {
  if (!(c >= 0 && c <= 1)) return exact(c);
  const x = c * TABLE,
    i = x | 0;
  return t[i]! + (t[i + 1]! - t[i]!) * (x - i);
};
const toLinear = lookup(LINEAR, exactLinear);
const toGamma = lookup(GAMMA, exactGamma);
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
const fInv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));
const WHITE = [0.95047, 1, 1.08883] as const;

/** sRGB in 0-1 -> [L 0-100, a, b]. */
export function rgbToLab(
  r: number,
  g: number,
  b: number,
  out: number[] | Float64Array = [0, 0, 0],
): number[] | Float64Array {
  const R = toLinear(r),
    G = toLinear(g),
    B = toLinear(b);
  const x = f((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / WHITE[0]);
  const y = f(0.2126729 * R + 0.7151522 * G + 0.072175 * B);
  const z = f((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / WHITE[2]);
  out[0] = 116 * y - 16;
  out[1] = 500 * (x - y);
  out[2] = 200 * (y - z);
  return out;
}

const clamp01 = (v: number) => (v < 0 ? 0 : Math.min(v, 1));

/** [L, a, b] -> sRGB in 0-1 (clamped). */
export function labToRgb(
  L: number,
  a: number,
  b: number,
  out: number[] | Float64Array = [0, 0, 0],
): number[] | Float64Array {
  const fy = (L + 16) / 116,
    fx = fy + a / 500,
    fz = fy - b / 200;
  const x = fInv(fx) * WHITE[0],
    y = fInv(fy),
    z = fInv(fz) * WHITE[2];
  out[0] = clamp01(toGamma(3.2404542 * x - 1.5371385 * y - 0.4985314 * z));
  out[1] = clamp01(toGamma(-0.969266 * x + 1.8760108 * y + 0.041556 * z));
  out[2] = clamp01(toGamma(0.0556434 * x - 0.2040259 * y + 1.0572252 * z));
  return out;
}
