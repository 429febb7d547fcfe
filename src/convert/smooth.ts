/**
 * Temporal smoothing of landmarks in a video, so that a swapped face does not jitter: each face's landmarks are
 * averaged with those of the same face (the best-overlapping box) in the frames around it, nearer frames
 * weighing more. A face absent from a neighbour (a cut, a new face) is averaged only with the frames it is in.
 */
import type { Point } from '../core/geometry/meanface.js';
import { boxIou } from '../core/geometry/box.js';

export interface TrackedFace {
  box: readonly [number, number, number, number];
  landmarks: readonly Point[];
}

/** The face of `frame` that is the same as `face`: the largest overlap above minIou, if any. */
export function sameFace(face: TrackedFace, frame: readonly TrackedFace[], minIou = 0.4): TrackedFace | undefined {
  let best: TrackedFace | undefined,
    bestIou = minIou;
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
export function smoothLandmarks(
  frames: readonly (readonly TrackedFace[] | undefined)[],
  centre: number,
  index: number,
  radius: number,
): Point[] {
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
