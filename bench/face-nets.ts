/**
 * npm run bench -- face-nets: face-api's nets that facegan runs on libtorch, against face-api's own runtime
 * (tfjs-wasm, one thread), side by side in one process, calls interleaved. SSD (src/faces/ssd-net.ts): milliseconds
 * a call (median) on four shared pictures of different sizes (it reads 512 x 512 whatever the size), the speed-up,
 * and the largest score difference over every box down to eval's floor. The recognition net
 * (src/faces/recognition-net.ts): milliseconds a 150 px chip, one at a time, and the largest descriptor distance.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OptionSchema } from '../src/core/options.js';
import type { RgbImage } from '../src/core/image.js';
import { numThreads, setNumThreads } from '../src/engine/index.js';
import { faceApi } from '../src/faces/face-api.js';
import { SsdNet } from '../src/faces/ssd-net.js';
import { recognitionNet } from '../src/faces/recognition-net.js';
import { descriptorDistance } from '../src/faces/identity.js';
import sharp from 'sharp';
import { readImage } from '../src/media/image.js';
import { sharedData } from '../src/testing/data.js';
import { median } from './util.js';

export const faceNetsOptions = {
  repeats: { type: 'int', help: 'calls a picture on each side', default: 7, min: 1 },
  threads: { type: 'int', help: "libtorch's threads (face-api's wasm runs on one)", default: 1, min: 1 },
} as const satisfies OptionSchema;

const FLOOR = 0.05;

export async function benchFaceNets(o: { repeats: number; threads: number }) {
  setNumThreads(o.threads);
  const obama = sharedData('faces', 'obama');
  const s1 = sharedData('faces', 'grid_s1');
  const pictures: [string, string][] = [
    ['grid 360x288', join(s1, readdirSync(s1).sort()[0]!)],
    ['720p frame', join(obama, readdirSync(obama).find((f) => f.startsWith('obama_wa_'))!)],
    ['group 640x428', sharedData('group', 'flickr_race_ccby_petermooney.jpg')],
    ['portrait 1434x2333', join(obama, readdirSync(obama).find((f) => f.startsWith('obama_still_blue'))!)],
  ];
  const api = await faceApi('ssdMobilenetv1');
  const net = await SsdNet.load();
  const faceApiRun = async (image: RgbImage) => {
    const input = api.tf.tensor3d(new Float32Array(image.data), [image.height, image.width, 3], 'float32');
    try {
      return await api.detectAllFaces(input, new api.SsdMobilenetv1Options({ minConfidence: FLOOR, maxResults: 20 }));
    } finally {
      input.dispose();
    }
  };
  const rows: Record<string, unknown>[] = [];
  let scoreDiff = 0;
  for (const [name, path] of pictures) {
    const image = await readImage(path);
    await faceApiRun(image); // the first call of each side compiles or warms up: not timed
    net.detect(image, FLOOR, 20);
    const times = { faceApi: [] as number[], libtorch: [] as number[] };
    for (let i = 0; i < o.repeats; i++) {
      let t = performance.now();
      const want = await faceApiRun(image);
      times.faceApi.push(performance.now() - t);
      t = performance.now();
      const got = net.detect(image, FLOOR, 20);
      times.libtorch.push(performance.now() - t);
      if (got.length !== want.length) throw new Error(`${name}: ${got.length} boxes against face-api's ${want.length}`);
      want.forEach((w, k) => {
        scoreDiff = Math.max(scoreDiff, Math.abs(w.score - got[k]!.score));
      });
    }
    const [a, b] = [median(times.faceApi), median(times.libtorch)];
    rows.push({ picture: name, faceApiMs: +a.toFixed(0), libtorchMs: +b.toFixed(0), speedup: +(a / b).toFixed(2) });
  }
  // the recognition net on 150 px chips of the same pictures (resized: the net's time does not depend on the face)
  const recognition = await recognitionNet();
  const described = await faceApi('faceRecognitionNet');
  const times = { faceApi: [] as number[], libtorch: [] as number[] };
  let distance = 0;
  for (const [, path] of pictures) {
    const { data } = await sharp(path).resize(150, 150).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const chip = { width: 150, height: 150, data: new Uint8Array(data) };
    for (let i = 0; i <= o.repeats; i++) {
      const input = described.tf.tensor3d(new Float32Array(chip.data), [150, 150, 3], 'float32');
      let t = performance.now();
      const want = Array.from(await described.nets.faceRecognitionNet.computeFaceDescriptor(input));
      const a = performance.now() - t;
      input.dispose();
      t = performance.now();
      const [got] = recognition.describe([chip]);
      const b = performance.now() - t;
      if (i === 0) continue; // warm-up
      times.faceApi.push(a);
      times.libtorch.push(b);
      distance = Math.max(distance, descriptorDistance(want, got!));
    }
  }
  const [a, b] = [median(times.faceApi), median(times.libtorch)];
  return {
    bench: 'face-nets',
    threads: numThreads(),
    repeats: o.repeats,
    ssd: { maxScoreDifference: scoreDiff, rows },
    recognition: {
      maxDescriptorDistance: distance,
      faceApiMs: +a.toFixed(0),
      libtorchMs: +b.toFixed(0),
      speedup: +(a / b).toFixed(2),
    },
  };
}
