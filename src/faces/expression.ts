/**
 * Expression and pose from 68 landmarks, for judging whether a swapped face follows the original: shapes are
 * compared in mean-face units (after the similarity alignment extract uses), so that where the face is, how big,
 * and its in-plane angle do not count; only the eyes' and the mouth's shapes do.
 */
import type { Point } from '../core/geometry/meanface.js';
import { applyAffine } from '../core/geometry/umeyama.js';
import { alignmentMatrix } from './align.js';

/** Indices of the eyes (36-47) and the mouth (48-67) in the 68-point layout. */
const EXPRESSION_POINTS = Array.from({ length: 32 }, (_, i) => 36 + i);
/** Inner-lip pairs (upper, lower). */
const LIPS: readonly [number, number][] = [
  [61, 67],
  [62, 66],
  [63, 65],
];

/** The 68 landmarks in mean-face units (the face's outline spans about 0-1). */
export function normalisedShape(landmarks: readonly Point[]): Point[] {
  const m = alignmentMatrix(landmarks);
  return landmarks.map((p) => applyAffine(m, p));
}

/** Mean distance between the eye and mouth points of two faces, in mean-face units (0: the same expression). */
export function expressionDistance(a: readonly Point[], b: readonly Point[]): number {
  const [na, nb] = [normalisedShape(a), normalisedShape(b)];
  return (
    EXPRESSION_POINTS.reduce((s, i) => s + Math.hypot(na[i]![0] - nb[i]![0], na[i]![1] - nb[i]![1]), 0) /
    EXPRESSION_POINTS.length
  );
}

/** How open the mouth is: the mean gap between the inner lips, in mean-face units. */
export function mouthOpening(landmarks: readonly Point[]): number {
  const n = normalisedShape(landmarks);
  return LIPS.reduce((s, [u, l]) => s + Math.hypot(n[u]![0] - n[l]![0], n[u]![1] - n[l]![1]), 0) / LIPS.length;
}

/** Pearson's correlation of two series (NaN when either is constant or they have under 3 values). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 3) return NaN;
  const mx = x.slice(0, n).reduce((a, b) => a + b) / n,
    my = y.slice(0, n).reduce((a, b) => a + b) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Differences of angles in degrees, wrapped to -180..180. */
export const angleDifference = (a: number, b: number): number => ((((a - b) % 360) + 540) % 360) - 180;

export interface Angles {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Pose error in degrees, axis by axis (b minus a), of two head poses given in radians (as the detector gives them). */
export function poseDifference(a: Angles, b: Angles): Angles {
  const d = (x: number, y: number) => angleDifference((y * 180) / Math.PI, (x * 180) / Math.PI);
  return { yaw: d(a.yaw, b.yaw), pitch: d(a.pitch, b.pitch), roll: d(a.roll, b.roll) };
}
