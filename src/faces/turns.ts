/**
 * Faces turned every way: the face models read faces near upright, so a picture is also read turned by quarter
 * turns, and what each turn finds is mapped back into the picture's own coordinates.
 */
import { rotateQuarters, unrotatePoint, type RgbImage } from '../core/image.js';
import type { DetectedFace, PassDetection } from './detected.js';

/**
 * The detections of `find` in the image and in the image turned by one, two and three quarters, each in the image's
 * own coordinates (its true roll) with its tilt in the turn that found it. `quarters` leaves out turns already read
 * (a caller that found nothing upright asks for 1, 2 and 3 only).
 */
export async function everyTurn(
  image: RgbImage,
  find: (turned: RgbImage) => Promise<DetectedFace[]>,
  tag = '',
  quarters: readonly number[] = [0, 1, 2, 3],
): Promise<PassDetection[]> {
  const all: PassDetection[] = [];
  for (const q of quarters) {
    for (const f of await find(q ? rotateQuarters(image, q) : image))
      all.push({
        face: unrotateFace(f, q, image.width, image.height),
        pass: `${tag}${q}`,
        tilt: Math.abs(f.angles.roll),
      });
  }
  return all;
}

/** A face found in the image turned by `q` quarter turns, in the original w x h image's coordinates. */
export function unrotateFace(f: DetectedFace, q: number, w: number, h: number): DetectedFace {
  const corners = [
    [f.box[0], f.box[1]],
    [f.box[0] + f.box[2], f.box[1] + f.box[3]],
  ].map(([x, y]) => unrotatePoint(x!, y!, q, w, h));
  const xs = corners.map((c) => c[0]),
    ys = corners.map((c) => c[1]);
  const box: DetectedFace['box'] = [
    Math.min(...xs),
    Math.min(...ys),
    Math.abs(xs[1]! - xs[0]!),
    Math.abs(ys[1]! - ys[0]!),
  ];
  const roll = f.angles.roll - (q * Math.PI) / 2;
  return {
    ...f,
    box,
    mesh: f.mesh.map(([x, y, z]) => [...unrotatePoint(x, y, q, w, h), z] as [number, number, number]),
    landmarks: f.landmarks.map(([x, y]) => unrotatePoint(x, y, q, w, h)),
    angles: { ...f.angles, roll: Math.atan2(Math.sin(roll), Math.cos(roll)) },
  };
}
