/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking points `src` onto `dst`:
 * Umeyama (1991) without reflection. In 2-D it has a closed form: with points as complex numbers centred on
 * their means, the rotation-and-scale is sum(conj(src) * dst) / sum(|src|^2).
 */
import type { Point } from './meanface.js';
import { invalid } from '../errors.js';

/** A 2x3 affine matrix [[a, b, tx], [c, d, ty]]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = readonly [readonly [number, number, number], readonly [number, number, number]];

export function umeyama(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2)
    throw invalid(`two lists of the same length (at least 2 points)`, 'umeyama points', [src.length, dst.length]);
  const n = src.length;
  const [sx, sy] = src.reduce(([x, y], p) => [x + p[0] / n, y + p[1] / n], [0, 0]);
  const [dx, dy] = dst.reduce(([x, y], p) => [x + p[0] / n, y + p[1] / n], [0, 0]);
  let re = 0,
    im = 0,
    norm = 0;
  for (let i = 0; i < n; i++) {
    const zx = src[i]![0] - sx,
      zy = src[i]![1] - sy;
    const wx = dst[i]![0] - dx,
      wy = dst[i]![1] - dy;
    re += zx * wx + zy * wy; // conj(z) * w
    im += zx * wy - zy * wx;
    norm += zx * zx + zy * zy;
  }
  if (norm === 0) throw invalid('points that are not all equal', 'umeyama source', src.slice(0, 3));
  const a = re / norm,
    b = im / norm;
  return [
    [a, -b, dx - (a * sx - b * sy)],
    [b, a, dy - (b * sx + a * sy)],
  ];
}

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0][0] * p[0] + m[0][1] * p[1] + m[0][2], m[1][0] * p[0] + m[1][1] * p[1] + m[1][2]];
}

export function invertAffine(m: Affine): Affine {
  const [[a, b, tx], [c, d, ty]] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw invalid('an invertible matrix', 'affine', m.flat());
  return [
    [d / det, -b / det, (b * ty - d * tx) / det],
    [-c / det, a / det, (c * tx - a * ty) / det],
  ];
}

export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [[a, b, c], [d, e, f]] = outer;
  const [[g, h, i], [j, k, l]] = inner;
  return [
    [a * g + b * j, a * h + b * k, a * i + b * l + c],
    [d * g + e * j, d * h + e * k, d * i + e * l + f],
  ];
}

/** Scale of a similarity matrix, and its rotation in degrees (counter-clockwise in image coordinates is negative). */
export function similarityParts(m: Affine): { scale: number; rotationDeg: number } {
  return { scale: Math.hypot(m[0][0], m[1][0]), rotationDeg: (Math.atan2(m[1][0], m[0][0]) * 180) / Math.PI };
}
