/**
 * 68-point landmarks (the dlib/iBUG layout faceswap uses) from MediaPipe's 468-point face mesh. Each of the 68
 * points is one mesh vertex, or the mean of two where no single vertex sits on the 68-point location.
 * Order: jaw 0-16 (image left to right), brows 17-26, nose 27-35, eyes 36-47 (subject's right eye first), mouth
 * 48-67 (outer 48-59, inner 60-67).
 */
import type { Point } from './meanface.js';
import { invalid } from '../errors.js';

export const MESH_TO_68: readonly (readonly number[])[] = [
  [127],
  [234],
  [93],
  [132, 58],
  [58, 172],
  [136],
  [150],
  [176],
  [152],
  [400],
  [379],
  [365],
  [397, 288],
  [361],
  [323],
  [454],
  [356],
  [70],
  [63],
  [105],
  [66],
  [107],
  [336],
  [296],
  [334],
  [293],
  [300],
  [168, 6],
  [197, 195],
  [5],
  [4],
  [75],
  [97],
  [2],
  [326],
  [305],
  [33],
  [160],
  [158],
  [133],
  [153],
  [144],
  [362],
  [385],
  [387],
  [263],
  [373],
  [380],
  [61],
  [39],
  [37],
  [0],
  [267],
  [269],
  [291],
  [405],
  [314],
  [17],
  [84],
  [181],
  [78],
  [82],
  [13],
  [312],
  [308],
  [317],
  [14],
  [87],
];

/** The 68 landmarks of a 468-point mesh ([x, y] or [x, y, z] per vertex). */
export function landmarks68FromMesh(mesh: readonly (readonly number[])[]): Point[] {
  if (mesh.length < 468) throw invalid('a 468-point face mesh', 'mesh', `${mesh.length} points`);
  return MESH_TO_68.map((ids) => {
    const x = ids.reduce((s, i) => s + mesh[i]![0]!, 0) / ids.length;
    const y = ids.reduce((s, i) => s + mesh[i]![1]!, 0) / ids.length;
    return [x, y] as const;
  });
}

const mean = (pts: readonly Point[]): Point => [
  pts.reduce((s, p) => s + p[0], 0) / pts.length,
  pts.reduce((s, p) => s + p[1], 0) / pts.length,
];

/** Eye centres [subject's right (image left when upright), subject's left] of 68 landmarks. */
export function eyeCentres(lm: readonly Point[]): [Point, Point] {
  return [mean(lm.slice(36, 42)), mean(lm.slice(42, 48))];
}
