/**
 * Face detection and the 468-point mesh with @vladmandic/human (BlazeFace + FaceMesh) on tfjs-wasm, weights from
 * the npm package. Images in, plain numbers out: nothing outside src/faces sees a tfjs tensor.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rotateQuarters, unrotatePoint, type RgbImage } from '../core/image.js';
import { boxOverlapOfSmaller } from '../core/geometry/box.js';
import { packageDir, requireDist, wasmDir, withFileFetch } from './tfjs.js';

export interface DetectedFace {
  /** [x, y, width, height] in image pixels. */
  box: [number, number, number, number];
  score: number;
  /** 468 points [x, y, z] in image pixels (z relative depth). */
  mesh: [number, number, number][];
  /** Head pose from the mesh, radians. */
  angles: { yaw: number; pitch: number; roll: number };
}

export interface DetectorOptions {
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
}

/* The parts of Human's API used here. */
interface HumanResult {
  face: {
    box: number[];
    score: number;
    mesh: number[][];
    rotation?: { angle: { yaw: number; pitch: number; roll: number } };
  }[];
}
interface HumanInstance {
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: unknown): Promise<HumanResult>;
  tf: {
    tensor3d(data: Int32Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
    getBackend(): string;
  };
}

/** Orders faces largest first (by box area). */
export const byAreaDescending = (a: { box: readonly number[] }, b: { box: readonly number[] }): number =>
  b.box[2]! * b.box[3]! - a.box[2]! * a.box[3]!;

/** The largest of the faces found, if any. */
export const largestFace = <F extends { box: readonly number[] }>(faces: readonly F[]): F | undefined =>
  [...faces].sort(byAreaDescending)[0];

/** Anything that finds faces: HumanDetector here, or DetectorThread running one in a worker. */
export interface FaceDetector {
  detect(image: RgbImage): Promise<DetectedFace[]>;
}

export class HumanDetector implements FaceDetector {
  #human: HumanInstance | undefined;
  /** Video: the detector for turned frames, and the turn that found faces last. */
  #turned: HumanDetector | undefined;
  #lastTurn = 2;
  #turnedLast = false;
  /** Video: frames in a row with no face found either way. */
  #empty = 0;
  constructor(readonly options: DetectorOptions = {}) {}

  async load(): Promise<void> {
    if (this.#human) return;
    const { Human } = requireDist<{ Human: new (config: object) => HumanInstance }>(
      '@vladmandic/human',
      'human.node-wasm.js',
    );
    const models = `${pathToFileURL(resolve(join(packageDir('@vladmandic/human'), 'models'))).href}/`;
    const off = { enabled: false };
    const human = new Human({
      backend: 'wasm',
      wasmPath: wasmDir(),
      modelBasePath: models,
      debug: false,
      // Human's cache is its tracker: while the picture changes less than this share, boxes come from the last mesh.
      cacheSensitivity: this.options.video ? 0.7 : 0,
      face: {
        enabled: true,
        detector: {
          rotation: true,
          maxDetected: this.options.maxFaces ?? 50,
          minConfidence: this.options.minConfidence ?? 0.5,
          return: false,
          skipFrames: this.options.video ? Math.max(0, (this.options.redetectEvery ?? 10) - 1) : 0,
          skipTime: this.options.video ? 1e9 : 0,
        },
        mesh: { enabled: true },
        iris: off,
        emotion: off,
        description: off,
        antispoof: off,
        liveness: off,
        attention: off,
      },
      body: off,
      hand: off,
      object: off,
      gesture: off,
      segmentation: off,
      filter: { enabled: false },
    });
    await withFileFetch(() => human.load());
    this.#human = human;
  }

  /** Finds faces in an RGB image (any size). */
  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const rotations = this.options.rotations ?? true;
    if (!this.options.video && rotations === true) return this.#detectEveryTurn(image);
    const faces = await this.detectOnce(image);
    if (faces.length || this.options.rotations === false) {
      this.#turnedLast = false;
      this.#empty = 0;
      return faces;
    }
    // in a video, an empty stretch is searched turned only on full-detection frames, unless the last frame was turned
    if (this.options.video && !this.#turnedLast && this.#empty++ % (this.options.redetectEvery ?? 10) !== 0)
      return faces;
    // Turned frames go to a detector of their own in a video: this one's tracker must only ever see upright frames,
    // or it carries a box into the next (turned) frame and fits an upright mesh there.
    const turned = this.options.video
      ? (this.#turned ??= new HumanDetector({ ...this.options, video: false, rotations: false }))
      : this;
    for (const q of [this.#lastTurn, ...[2, 1, 3].filter((t) => t !== this.#lastTurn)]) {
      const found = await turned.detectOnce(rotateQuarters(image, q));
      if (found.length) {
        this.#lastTurn = q;
        this.#turnedLast = true;
        this.#empty = 0;
        return found.map((f) => unrotateFace(f, q, image.width, image.height));
      }
    }
    this.#turnedLast = false;
    return faces;
  }

  /** A still: faces of all four turns, one per place (the turn where its roll was smallest gives its mesh). */
  async #detectEveryTurn(image: RgbImage): Promise<DetectedFace[]> {
    const all: TurnDetection[] = [];
    for (const q of [0, 1, 2, 3]) {
      const found = await this.detectOnce(q ? rotateQuarters(image, q) : image);
      for (const f of found)
        all.push({ face: unrotateFace(f, q, image.width, image.height), turn: q, tilt: Math.abs(f.angles.roll) });
    }
    return mergeTurns(all);
  }

  async detectOnce(image: RgbImage): Promise<DetectedFace[]> {
    await this.load();
    const human = this.#human!;
    const input = human.tf.tensor3d(new Int32Array(image.data), [image.height, image.width, 3], 'int32');
    try {
      const res = await human.detect(input);
      return res.face.map((f) => ({
        box: f.box.slice(0, 4) as [number, number, number, number],
        score: f.score,
        mesh: f.mesh.map((p) => [p[0]!, p[1]!, p[2] ?? 0] as [number, number, number]),
        angles: f.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 },
      }));
    } finally {
      input.dispose();
    }
  }
}

/** A face found in the image turned by `q` quarter turns, in the original w x h image's coordinates. */
function unrotateFace(f: DetectedFace, q: number, w: number, h: number): DetectedFace {
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
    angles: { ...f.angles, roll: Math.atan2(Math.sin(roll), Math.cos(roll)) },
  };
}

/** Boxes that overlap this much (intersection over the smaller box) are one face found in two turns. */
const SAME_FACE_OVERLAP = 0.5;

/** A face found in the picture turned by `turn` quarters; `tilt` is |roll| in that turned picture. */
export interface TurnDetection {
  face: DetectedFace;
  turn: number;
  tilt: number;
}

/**
 * One detection per face from the detections of several turns: the mesh model fits a face best near upright, so
 * of the detections of one face the one whose roll in its own turn was smallest is kept (with its true roll).
 * Detections are taken by confidence (in steps of a quarter) and then nearest-upright first; one that overlaps a
 * face kept from another turn by half of the smaller box is dropped. Faces of one turn are never merged: the
 * detector has already kept those apart (a small face in front of a large one stays).
 */
export function mergeTurns(found: readonly TurnDetection[]): DetectedFace[] {
  const kept: TurnDetection[] = [];
  const confidence = (d: TurnDetection) => Math.floor(d.face.score * 4);
  const order = (a: TurnDetection, b: TurnDetection) => confidence(b) - confidence(a) || a.tilt - b.tilt;
  for (const d of [...found].sort(order)) {
    if (kept.every((k) => k.turn === d.turn || boxOverlapOfSmaller(k.face.box, d.face.box) < SAME_FACE_OVERLAP))
      kept.push(d);
  }
  return kept.map((k) => k.face).sort(byAreaDescending);
}
