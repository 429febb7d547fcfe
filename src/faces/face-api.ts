/**
 * @vladmandic/face-api on tfjs-wasm, its nets loaded once per thread from the weights in the npm package: the
 * recognition net (identity descriptors), SSD MobileNet v1 (a face detector) and the 68-point landmark net.
 */
import { join, resolve } from 'node:path';
import { packageDir, requireDist, wasmDir, withFileFetch } from './tfjs.js';

interface Net {
  loadFromDisk(dir: string): Promise<void>;
}
interface Landmarks {
  positions: { x: number; y: number }[];
}
/** The parts of face-api's API used here. */
export interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(data: Float32Array, shape: [number, number, number], dtype: 'float32'): { dispose(): void };
  };
  nets: {
    faceRecognitionNet: Net & { computeFaceDescriptor(input: unknown): Promise<Float32Array> };
    ssdMobilenetv1: Net;
    faceLandmark68Net: Net & { detectLandmarks(input: unknown): Promise<Landmarks> };
  };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown,
  ): Promise<{ box: { x: number; y: number; width: number; height: number }; score: number }[]> & {
    withFaceLandmarks(): Promise<
      {
        detection: { box: { x: number; y: number; width: number; height: number }; score: number };
        landmarks: Landmarks;
      }[]
    >;
  };
}
export type FaceApiNet = keyof FaceApi['nets'];
/** A loaded net's weight, as the nets run on libtorch read it (ssd-net.ts, recognition-net.ts). */
export interface TfTensor {
  shape: number[];
  dataSync(): Float32Array;
}

let api: Promise<FaceApi> | undefined;
const nets = new Map<FaceApiNet, Promise<FaceApi>>();
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
  });
  return faceapi;
}

/** face-api with these nets loaded (each loads once). */
export async function faceApi(...want: FaceApiNet[]): Promise<FaceApi> {
  const f = await (api ??= load());
  for (const name of want) {
    let ready = nets.get(name);
    if (!ready) {
      ready = withFileFetch(() => f.nets[name].loadFromDisk(modelDir())).then(() => f);
      nets.set(name, ready);
    }
    await ready;
  }
  return f;
}
