/**
 * Temporal smoothing of landmarks in a video, so that a swapped face does not jitter: each face's landmarks are
 * averaged with those of the same face (the best-overlapping box) in the frames around it, nearer frames
 * weighing more. A face absent from a neighbour (a cut, a new face) is averaged only with the frames it is in.
 */
import type { Point } from '../core/geometry/meanface.js';

export interface TrackedFace {
  box: readonly [number, number, number, number];
  landmarks: readonly Point[];
}

/** Intersection over union of two [x, y, w, h] boxes. */
export function boxIou(a: TrackedFace['box'], b: TrackedFace['box']): number {
  const x0 = Math.max(a[0], b[0]), y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]), y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a[2] * a[3] + b[2] * b[3] - inter || 1);
}

/** The face of `frame` that is the same as `face`: the largest overlap above minIou, if any. */
export function sameFace(face: TrackedFace, frame: readonly TrackedFace[], minIou = 0.4): TrackedFace | undefined {
  let best: TrackedFace | undefined, bestIou = minIou;
  for (const f of frame) {
    const iou = boxIou(face.box, f.box);
    if (iou > bestIou) [best, bestIou] = [f, iou];
  }
  return best;
}

/**
 * Smoothed landmarks of face `index` of `frames[centre]`, over the frames `centre - radius .. centre + radius`
 * that are given (frames[i] may be undefined at the ends of the video).
 */
export function smoothLandmarks(frames: readonly (readonly TrackedFace[] | undefined)[], centre: number, index: number, radius: number): Point[] {
  const face = frames[centre]![index]!;
  const sum = face.landmarks.map(() => [0, 0]);
  let total = 0;
  // walk outwards each way from the centre, following the face frame by frame, and stop where it is lost
  for (const step of [-1, 1]) {
    let current: TrackedFace | undefined = face;
    for (let k = step === -1 ? 0 : 1; k <= radius && current; k++) {
      const i = centre + step * k;
      const found: TrackedFace | undefined = k === 0 ? face : frames[i] ? sameFace(current, frames[i]!) : undefined;
      if (!found) break;
      const w = radius + 1 - k;
      found.landmarks.forEach(([x, y], j) => {
        sum[j]![0]! += w * x;
        sum[j]![1]! += w * y;
      });
      total += w;
      current = found;
    }
  }
  return sum.map(([x, y]) => [x! / total, y! / total] as const);
}
