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

/**
 * Head pose (radians) from 68 landmarks, for a face without a mesh: roll is the eye line's angle; yaw and pitch are
 * rough, from where the nose tip sits between the eyes and the mouth (0 for a frontal face, growing as it turns).
 */
export function poseFrom68(lm: readonly Point[]): { yaw: number; pitch: number; roll: number } {
  const [r, l] = eyeCentres(lm);
  const roll = Math.atan2(l[1] - r[1], l[0] - r[0]);
  const eyes: Point = [(r[0] + l[0]) / 2, (r[1] + l[1]) / 2];
  const mouth = mean(lm.slice(48, 68));
  const nose = lm[30]!;
  const span = Math.hypot(l[0] - r[0], l[1] - r[1]) || 1;
  // the nose tip in the face's own frame: x along the eye line, y from the eyes towards the mouth
  const [c, s] = [Math.cos(-roll), Math.sin(-roll)];
  const along = (p: Point) => (p[0] - eyes[0]) * c - (p[1] - eyes[1]) * s;
  const down = (p: Point) => (p[0] - eyes[0]) * s + (p[1] - eyes[1]) * c;
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  const yaw = Math.asin(clamp(along(nose) / (0.5 * span)));
  // frontal, the nose tip sits about 0.6 of the way from the eyes to the mouth
  const pitch = Math.asin(clamp((down(nose) / (down(mouth) || 1) - 0.6) / 0.4));
  return { yaw, pitch, roll };
}
