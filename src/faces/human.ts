/**
 * Face detection and the 468-point mesh with @vladmandic/human (BlazeFace + FaceMesh) on tfjs-wasm, weights from
 * the npm package. Images in, plain numbers out: nothing outside src/faces sees a tfjs tensor.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rotateQuarters, type RgbImage } from '../core/image.js';
import { everyTurn, unrotateFace } from './turns.js';
import { landmarks68FromMesh } from '../core/geometry/landmarks68.js';
import { packageDir, requireDist, wasmDir, withFileFetch } from './tfjs.js';
import { largestFace, mergePasses, type DetectedFace, type DetectorOptions, type FaceDetector } from './detected.js';

export {
  byAreaDescending,
  largestFace,
  type DetectedFace,
  type DetectorOptions,
  type FaceDetector,
} from './detected.js';

/** Human's cache is its tracker: while the picture changes less than this share, boxes come from the last mesh. */
const VIDEO_CACHE = 0.7;
/**
 * The detector that called Human last in this thread. Human keeps its tracker's boxes and its last picture in module
 * state, shared by every instance, so a tracker whose last call was not the thread's last starts afresh.
 */
let lastReader: HumanDetector | undefined;

/* The parts of Human's API used here. */
interface HumanResult {
  face: {
    box: number[];
    score: number;
    boxScore: number;
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
  config: { cacheSensitivity: number };
}

export class HumanDetector implements FaceDetector {
  #human: HumanInstance | undefined;
  /** Video: the detector for turned frames, and the turn that found faces last. */
  #turned: HumanDetector | undefined;
  #lastTurn = 2;
  #turnedLast = false;
  /** Video: the quarter turn frames are read at (following the largest face), and a tracker for each turn. */
  #turn = 0;
  #trackers: HumanDetector[] = [];
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
      cacheSensitivity: this.options.video ? VIDEO_CACHE : 0,
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
    let faces = await this.#readAt(image, this.#turn);
    if (faces.length && this.options.video && rotations !== false) faces = await this.#followTurn(image, faces);
    if (faces.length || this.options.rotations === false) {
      this.#turnedLast = this.#turn !== 0;
      this.#empty = 0;
      return faces;
    }
    // in a video, an empty stretch is searched turned only on full-detection frames, unless the last frame was turned
    if (this.options.video && !this.#turnedLast && this.#empty++ % (this.options.redetectEvery ?? 10) !== 0)
      return faces;
    // A video's turned frames are read without tracking here, so that no tracker carries a box into a frame turned
    // another way and fits an upright mesh there.
    const turned = this.options.video
      ? (this.#turned ??= new HumanDetector({ ...this.options, video: false, rotations: false }))
      : this;
    for (const q of [this.#lastTurn, ...[2, 1, 3].filter((t) => t !== this.#lastTurn)]) {
      const found = await turned.detectOnce(rotateQuarters(image, q));
      if (found.length) {
        this.#lastTurn = q;
        this.#turn = this.options.video ? q : 0;
        this.#turnedLast = true;
        this.#empty = 0;
        return found.map((f) => unrotateFace(f, q, image.width, image.height));
      }
    }
    this.#turnedLast = false;
    this.#turn = 0;
    return faces;
  }

  /** A video frame read at quarter turn q, by the tracker of that turn (each tracker only sees frames of its turn). */
  async #readAt(image: RgbImage, q: number): Promise<DetectedFace[]> {
    if (q === 0) return this.detectOnce(image);
    const tracker = (this.#trackers[q] ??= new HumanDetector({ ...this.options, rotations: false }));
    return (await tracker.detectOnce(rotateQuarters(image, q))).map((f) =>
      unrotateFace(f, q, image.width, image.height),
    );
  }

  /**
   * A face that turns within a shot: Human follows a face turned up to about 90 degrees from the picture it reads, and
   * past that keeps fitting it as if upright (a face turned 150 degrees came out with a roll of -25). So once the
   * largest face is turned more than 55 degrees from the turn read, the frame is read again at the quarter turn that
   * brings it nearest upright, and the frames after it too.
   */
  async #followTurn(image: RgbImage, faces: DetectedFace[]): Promise<DetectedFace[]> {
    const roll = largestFace(faces)!.angles.roll;
    // its roll in the picture read; switching at 55 degrees rather than 45 keeps a roll near 45 from flipping turns
    const read = roll + (this.#turn * Math.PI) / 2;
    if (Math.abs(Math.atan2(Math.sin(read), Math.cos(read))) <= (55 * Math.PI) / 180) return faces;
    const nearest = ((-Math.round(roll / (Math.PI / 2)) % 4) + 4) % 4;
    if (nearest === this.#turn) return faces;
    const again = await this.#readAt(image, nearest);
    if (!again.length) return faces;
    this.#turn = nearest;
    return again;
  }

  /** A still: faces of all four turns, one per place (the turn where its roll was smallest gives its mesh). */
  async #detectEveryTurn(image: RgbImage): Promise<DetectedFace[]> {
    return mergePasses(await everyTurn(image, (turned) => this.detectOnce(turned)));
  }

  async detectOnce(image: RgbImage): Promise<DetectedFace[]> {
    await this.load();
    const human = this.#human!;
    const input = human.tf.tensor3d(new Int32Array(image.data), [image.height, image.width, 3], 'int32');
    // a tracker reading after another instance (another turn, a crop) starts afresh: its boxes would be the other's
    const fresh = this.options.video && lastReader !== this;
    lastReader = this;
    if (fresh) human.config.cacheSensitivity = 0;
    try {
      const res = await human.detect(input);
      return res.face
        .filter((f) => f.mesh.length >= 468)
        .map((f) => {
          const mesh = f.mesh.map((p) => [p[0]!, p[1]!, p[2] ?? 0] as [number, number, number]);
          return {
            box: f.box.slice(0, 4) as [number, number, number, number],
            score: f.score,
            boxScore: f.boxScore,
            landmarks: landmarks68FromMesh(mesh),
            mesh,
            angles: f.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 },
            detector: 'human' as const,
          };
        });
    } finally {
      if (fresh) human.config.cacheSensitivity = VIDEO_CACHE;
      input.dispose();
    }
  }
}
