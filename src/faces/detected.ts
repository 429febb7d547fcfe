/**
 * What every face detector gives (the registry's `human`, `ssd` and `both` alike), and the merge of detections of
 * one face found in several passes (turns of a picture, tiles, detectors). Plain numbers: nothing outside src/faces
 * sees a tfjs tensor.
 */
import { boxIou, boxOverlapOfSmaller } from '../core/geometry/box.js';
import type { Point } from '../core/geometry/meanface.js';

/** The detectors of the registry (faces/detectors.ts): the id is the same in the CLI, code and saved files. */
export const DETECTOR_IDS = ['human', 'ssd', 'both'] as const;
export type DetectorId = (typeof DETECTOR_IDS)[number];

export interface DetectedFace {
  /** [x, y, width, height] in image pixels. */
  box: [number, number, number, number];
  /** The landmark model's confidence that this is a face. */
  score: number;
  /**
   * The box detector's own confidence (BlazeFace's or SSD's). Unlike the mesh's score it drops for a face seen the
   * wrong way up, so it ranks one face's detections in several turns.
   */
  boxScore: number;
  /** 68 landmarks (iBUG order) in image pixels: from the mesh where there is one, else face-api's 68-point net. */
  landmarks: Point[];
  /** 468 points [x, y, z] in image pixels (z relative depth): Human's mesh; empty for a face only SSD found. */
  mesh: [number, number, number][];
  /** Head pose, radians: from the mesh, or (a face only SSD found) roll from the eyes and yaw and pitch estimated. */
  angles: { yaw: number; pitch: number; roll: number };
  /** Which model found the face and gave its landmarks. */
  detector: 'human' | 'ssd';
  /**
   * How much of the face the landmarks agree on, 0-1, where measured (a second landmark model read the face):
   * a hand, a phone or another head over part of the face pulls the two models apart.
   */
  visibility?: number;
}

export interface DetectorOptions {
  /** Which detector of the registry (faces/detectors.ts); default human. */
  detector?: DetectorId;
  /** Measure each meshed face's visibility (faces/visibility.ts); `both` always does. */
  visibility?: boolean;
  maxFaces?: number;
  minConfidence?: number;
  /**
   * Frames of one video in order: a face is followed from its last mesh instead of detected afresh, with a full
   * detection every `redetectEvery` frames, at a cut (the picture changes a lot) and whenever a face is lost.
   */
  video?: boolean;
  redetectEvery?: number;
  /**
   * Faces turned every way (BlazeFace follows moderate in-plane turns only). A still image is searched upright, upside
   * down and a quarter turn either way, every time, and a face found in more than one turn is kept once (where it
   * was nearest upright). In a video, only a frame without faces is searched turned (the turn that worked last
   * first), and a stretch without faces once every `redetectEvery` frames. Default true. `fallback`: a still too is
   * searched turned only when no face is found upright (for upright pictures, such as eval's frames).
   */
  rotations?: boolean | 'fallback';
  /** Stills: read a large picture in tiles too, for its small faces (ssd and both; faces/ssd.ts `wantsTiles`). */
  tiles?: 'auto' | 'always' | 'never';
}

/** Anything that finds faces in an RGB image: a detector of the registry, or DetectorThread running one. */
export interface FaceDetector {
  detect(image: import('../core/image.js').RgbImage): Promise<DetectedFace[]>;
  /** Loads its models now, ahead of the first frame (else the first detect does). */
  warm?(): Promise<void>;
}

/** Orders faces largest first (by box area). */
export const byAreaDescending = (a: { box: readonly number[] }, b: { box: readonly number[] }): number =>
  b.box[2]! * b.box[3]! - a.box[2]! * a.box[3]!;

/** The largest of the faces found, if any. */
export const largestFace = <F extends { box: readonly number[] }>(faces: readonly F[]): F | undefined =>
  [...faces].sort(byAreaDescending)[0];

/** Boxes that overlap this much (intersection over the smaller box) are one face found in two passes. */
export const SAME_FACE_OVERLAP = 0.5;

/**
 * A face found in one pass: `pass` names it (a turn, a tile, a detector), and `tilt` is |roll| in the picture that
 * pass read (where the landmark models fit best: near upright).
 */
export interface PassDetection {
  face: DetectedFace;
  pass: string | number;
  tilt: number;
}

/**
 * A detection's weight: the box detector's confidence times the mesh's (each drops for a wrong fit). SSD's score is
 * both its box's and its face's, so it counts once.
 */
const weight = (d: PassDetection) => d.face.boxScore * (d.face.detector === 'human' ? d.face.score : 1);
/** A detection this confident (box score x mesh score) of a pass that already found a face there is another face. */
const CONFIDENT = 0.5;
/** Rolls within this many degrees (in the picture) agree on which way up a face is. */
const SAME_ROLL = 30;
const rollApart = (a: PassDetection, b: PassDetection) => {
  const d = Math.abs(a.face.angles.roll - b.face.angles.roll) % (2 * Math.PI);
  return (Math.min(d, 2 * Math.PI - d) * 180) / Math.PI;
};

/**
 * One detection per face from the detections of several passes (turns of the picture, tiles, detectors).
 * - A detection joins the face whose first detection it overlaps by half of the smaller box (the best by IoU), unless
 *   that face has a detection of its own pass already: confident faces of one pass are never merged (the detector
 *   has kept those apart: a small face in front of a large one stays), while an unsure second one is a wrong fit.
 * - Which way up the face is, is put to a vote (a pass votes once): a face read at four turns is found the right
 *   way up in most of them (Human follows turns of up to 90 degrees itself), while a wrong fit, such as a face
 *   upside down fitted upright, stands alone. The rolls that agree within 30 degrees and weigh most win.
 * - Of those, the most confident (in steps of a quarter) and then the nearest upright in its own pass gives the
 *   face: the landmark models fit best near upright.
 */
export function mergePasses(found: readonly PassDetection[]): DetectedFace[] {
  const faces: PassDetection[][] = [];
  const order = (a: PassDetection, b: PassDetection) => weight(b) - weight(a) || a.tilt - b.tilt;
  for (const d of [...found].sort(order)) {
    // the face whose first detection it matches best; one that already has a confident detection of its own pass
    // is another face (a small face in front of a large one), while an unsure one is a second, wrong fit of the
    // same face (BlazeFace fitted one face upside down twice, at two sizes, with weights 0.40 and 0.49)
    const candidates = faces.filter(
      (f) =>
        f[0]!.pass !== d.pass &&
        boxOverlapOfSmaller(f[0]!.face.box, d.face.box) >= SAME_FACE_OVERLAP &&
        (weight(d) < CONFIDENT || f.every((k) => k.pass !== d.pass)),
    );
    const face = candidates.sort((x, y) => boxIou(y[0]!.face.box, d.face.box) - boxIou(x[0]!.face.box, d.face.box))[0];
    if (face) face.push(d);
    else faces.push([d]);
  }
  return faces.map(pick).sort(byAreaDescending);
}

/** The detection that gives a face found in several passes (see mergePasses). */
function pick(found: readonly PassDetection[]): DetectedFace {
  // each pass votes once, with its most confident detection that agrees
  const votes = (d: PassDetection) => {
    const best = new Map<string | number, number>();
    for (const k of found)
      if (rollApart(k, d) <= SAME_ROLL) best.set(k.pass, Math.max(best.get(k.pass) ?? 0, weight(k)));
    return [...best.values()].reduce((s, w) => s + w, 0);
  };
  const winner = found.reduce((best, d) => {
    const [v, w] = [votes(d), votes(best)];
    return v > w + 1e-9 || (v > w - 1e-9 && d.tilt < best.tilt) ? d : best;
  });
  const agreeing = found.filter((k) => rollApart(k, winner) <= SAME_ROLL);
  const confidence = (d: PassDetection) => Math.floor(weight(d) * 4);
  return [...agreeing].sort((a, b) => confidence(b) - confidence(a) || a.tilt - b.tilt)[0]!.face;
}
