/**
 * Face detection and the 468-point mesh with @vladmandic/human (BlazeFace + FaceMesh) on tfjs-wasm, weights from
 * the npm package. Images in, plain numbers out: nothing outside src/faces sees a tfjs tensor.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RgbImage } from '../core/image.js';
import { installFileFetch, packageDir, requireDist, wasmDir } from './tfjs.js';

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
}

/* The parts of Human's API used here. */
interface HumanResult { face: { box: number[]; score: number; mesh: number[][]; rotation?: { angle: { yaw: number; pitch: number; roll: number } } }[] }
interface HumanInstance {
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: unknown): Promise<HumanResult>;
  tf: { tensor3d(data: Int32Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void }; getBackend(): string };
}

export class HumanDetector {
  #human: HumanInstance | undefined;
  constructor(readonly options: DetectorOptions = {}) {}

  async load(): Promise<void> {
    if (this.#human) return;
    installFileFetch();
    const { Human } = requireDist<{ Human: new (config: object) => HumanInstance }>('@vladmandic/human', 'human.node-wasm.js');
    const models = pathToFileURL(resolve(join(packageDir('@vladmandic/human'), 'models'))).href + '/';
    const off = { enabled: false };
    const human = new Human({
      backend: 'wasm', wasmPath: wasmDir(), modelBasePath: models, debug: false,
      // Human's cache is its tracker: while the picture changes less than this share, boxes come from the last mesh.
      cacheSensitivity: this.options.video ? 0.7 : 0,
      face: {
        enabled: true,
        detector: {
          rotation: true, maxDetected: this.options.maxFaces ?? 50, minConfidence: this.options.minConfidence ?? 0.5, return: false,
          skipFrames: this.options.video ? Math.max(0, (this.options.redetectEvery ?? 10) - 1) : 0, skipTime: this.options.video ? 1e9 : 0,
        },
        mesh: { enabled: true }, iris: off, emotion: off, description: off, antispoof: off, liveness: off, attention: off,
      },
      body: off, hand: off, object: off, gesture: off, segmentation: off, filter: { enabled: false },
    });
    await human.load();
    this.#human = human;
  }

  /** Finds faces in an RGB image (any size). */
  async detect(image: RgbImage): Promise<DetectedFace[]> {
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
