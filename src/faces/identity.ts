/**
 * Identity descriptors with @vladmandic/face-api's recognition net (a port of dlib's ResNet, 128 numbers a face,
 * weights in the npm package) on tfjs-wasm. It reads a 150 px face chip cut the way dlib cuts them: the mean face
 * spanning 2/3 of the chip. Two faces of one person are usually under 0.6 apart (Euclidean distance).
 */
import { join, resolve } from 'node:path';
import type { RgbImage } from '../core/image.js';
import { packageDir, requireDist, wasmDir, withFileFetch } from './tfjs.js';

/** The chip the net reads: side in pixels and the mean-face coverage (dlib's padding 0.25 -> 1 / 1.5). */
export const IDENTITY_CHIP = { size: 150, coverage: 1 / 1.5 } as const;
/** Distance under which two descriptors are taken as one person (dlib's and face-api's usual threshold). */
export const SAME_PERSON = 0.6;

interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(data: Float32Array, shape: [number, number, number], dtype: 'float32'): { dispose(): void };
  };
  nets: {
    faceRecognitionNet: {
      loadFromDisk(dir: string): Promise<void>;
      computeFaceDescriptor(input: unknown): Promise<Float32Array>;
    };
    ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> };
  };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown,
  ): Promise<{ box: { x: number; y: number; width: number; height: number }; score: number }[]>;
}

let api: Promise<FaceApi> | undefined;
let ssd: Promise<FaceApi> | undefined;
const modelDir = () => resolve(join(packageDir('@vladmandic/face-api'), 'model'));

async function load(): Promise<FaceApi> {
  const faceapi = requireDist<FaceApi>('@vladmandic/face-api', 'face-api.node-wasm.js');
  const wasm = requireDist<{ setWasmPaths(p: string): void }>(
    '@tensorflow/tfjs-backend-wasm',
    'tf-backend-wasm.node.js',
  );
  wasm.setWasmPaths(wasmDir());
  await withFileFetch(async () => {
    await faceapi.tf.setBackend('wasm');
    await faceapi.tf.ready();
    await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir());
  });
  return faceapi;
}

/**
 * Faces found by face-api's own detector (SSD MobileNet v1, another net than extract's BlazeFace): eval asks it
 * whether a swapped face still looks like a face. Boxes [x, y, width, height] in image pixels.
 */
export async function detectFacesFaceApi(
  image: RgbImage,
  minConfidence = 0.5,
): Promise<{ box: [number, number, number, number]; score: number }[]> {
  const faceapi = await (ssd ??= (api ??= load()).then(async (f) => {
    await withFileFetch(() => f.nets.ssdMobilenetv1.loadFromDisk(modelDir()));
    return f;
  }));
  const input = faceapi.tf.tensor3d(new Float32Array(image.data), [image.height, image.width, 3], 'float32');
  try {
    const found = await faceapi.detectAllFaces(
      input,
      new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 20 }),
    );
    return found.map((d) => ({ box: [d.box.x, d.box.y, d.box.width, d.box.height], score: d.score }));
  } finally {
    input.dispose();
  }
}

/** The 128-d descriptor of a face chip (IDENTITY_CHIP: 150 px, cut with coverage 2/3). */
export async function faceDescriptor(chip: RgbImage): Promise<number[]> {
  const faceapi = await (api ??= load());
  const input = faceapi.tf.tensor3d(new Float32Array(chip.data), [chip.height, chip.width, 3], 'float32');
  try {
    return Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input));
  } finally {
    input.dispose();
  }
}

export function descriptorDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
