/**
 * facegan eval-gen: a StyleGAN model's samples measured against real faces, in face-api's 128-d descriptor space
 * (eval/sample-measures.ts), with two baselines in the same report: real against real (the held-out faces' two
 * halves) and a PCA-Gaussian sampler of the training pixels, which a model must beat.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { noGrad, resolveDevice, tidy } from '../engine/index.js';
import type { RgbImage } from '../core/image.js';
import { Random } from '../core/random.js';
import { writeFileAtomic } from '../io/atomic.js';
import { HumanDetector, largestFace } from '../faces/human.js';
import { detectFacesFaceApi } from '../faces/identity.js';
import { identityOfFace } from '../faces/identity-filter.js';
import { landmarks68FromMesh } from '../core/geometry/landmarks68.js';
import { loadStyleGan } from '../models/stylegan/load.js';
import { zOfSeeds } from '../train/stylegan/family.js';
import { toImages } from '../generate/generate.js';
import { folderFaces } from './identities.js';
import {
  diversity,
  frechetDistance,
  kid,
  median,
  nearestDistances,
  precisionRecall,
  symmetricEigen,
} from './sample-measures.js';

export interface GenEvalOptions {
  modelDir: string;
  /** Held-out real faces (not trained on). */
  real: string;
  /** The faces the model was trained on (for memorisation and the PCA sampler). */
  training: string;
  samples?: number;
  truncation?: number;
  /** Where report.json goes (default MODEL_DIR/eval-gen). */
  output?: string;
  device?: 'auto' | 'cpu' | 'cuda';
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** What one set of images scores: the share with a face found, and the descriptors of those found. */
interface Measured {
  detection: number;
  descriptors: number[][];
}

const SIDE = 256; // the detectors read the images at this side

async function upscale(img: RgbImage): Promise<RgbImage> {
  if (img.width === SIDE) return img;
  const data = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(SIDE, SIDE, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width: SIDE, height: SIDE, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

async function measure(
  images: RgbImage[],
  detector: HumanDetector,
  stage: string,
  o: GenEvalOptions,
): Promise<Measured> {
  let detected = 0;
  const descriptors: number[][] = [];
  for (const [i, raw] of images.entries()) {
    const img = await upscale(raw);
    if ((await detectFacesFaceApi(img)).length) detected++;
    const face = largestFace(await detector.detect(img));
    if (face) descriptors.push(await identityOfFace(img, landmarks68FromMesh(face.mesh)));
    o.onProgress?.(stage, i + 1, images.length);
  }
  return { detection: detected / images.length, descriptors };
}

/** Images drawn from a Gaussian in the top principal components of the training pixels (same size and count). */
export function pcaSamples(training: RgbImage[], count: number, components = 32, seed = 0): RgbImage[] {
  const n = training.length,
    d = training[0]!.data.length,
    s = training[0]!.width;
  const mean = new Float64Array(d);
  for (const t of training) t.data.forEach((v, j) => (mean[j]! += v / n));
  const centred = training.map((t) => Float64Array.from(t.data, (v, j) => v - mean[j]!));
  // the Gram matrix's eigenvectors give the principal directions without a d x d covariance
  const gram = centred.map((a) => centred.map((b) => a.reduce((acc, v, j) => acc + v * b[j]!, 0) / (n - 1)));
  const { values, vectors } = symmetricEigen(gram);
  const order = values
    .map((v, i) => [v, i] as const)
    .sort((p, q) => q[0] - p[0])
    .slice(0, Math.min(components, n - 1));
  const directions = order.map(([value, i]) => {
    const dir = new Float64Array(d);
    centred.forEach((c, k) => c.forEach((v, j) => (dir[j]! += v * vectors[k]![i]!)));
    const norm = Math.sqrt(dir.reduce((acc, v) => acc + v * v, 0)) || 1;
    return { sd: Math.sqrt(Math.max(value, 0)), dir: dir.map((v) => v / norm) };
  });
  const rng = new Random(seed, 0x9ca);
  return Array.from({ length: count }, () => {
    const px = Float64Array.from(mean);
    for (const { sd, dir } of directions) {
      const c = rng.normal() * sd;
      dir.forEach((v, j) => (px[j]! += c * v));
    }
    return { width: s, height: s, data: Uint8Array.from(px, (v) => Math.max(0, Math.min(255, Math.round(v)))) };
  });
}

function compare(samples: number[][], reals: number[][], training: number[][]) {
  const size = Math.min(100, samples.length, reals.length);
  const memo = median(nearestDistances(samples, training));
  return {
    kid: size >= 2 ? kid(samples, reals, { size, subsets: 50 }).mean : NaN,
    fd: samples.length > 2 && reals.length > 2 ? frechetDistance(samples, reals) : NaN,
    ...precisionRecall(samples, reals, 3),
    diversity: diversity(samples),
    memorisationMedian: memo,
  };
}

export async function evalGen(o: GenEvalOptions) {
  const n = o.samples ?? 200;
  const device = resolveDevice(o.device ?? 'auto');
  const { generator: G, spec, iteration } = loadStyleGan(o.modelDir, device);
  const detector = new HumanDetector({ maxFaces: 4 });
  const samples: RgbImage[] = [];
  for (let i = 0; i < n; i += 16) {
    const seeds = Array.from({ length: Math.min(16, n - i) }, (_, k) => i + k);
    samples.push(
      ...tidy(() =>
        noGrad(() =>
          toImages(G.forward(zOfSeeds(seeds, spec.zDim).to({ device }), { psi: o.truncation ?? 1, noise: 'const' })),
        ),
      ),
    );
  }
  G.dispose();
  const real = await folderFaces(resolve(o.real), detector, 500, '--real');
  const training = await folderFaces(resolve(o.training), detector, 2000, '--training');
  const atSize = (img: RgbImage) =>
    sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(spec.size, spec.size)
      .raw()
      .toBuffer()
      .then((b) => ({ width: spec.size, height: spec.size, data: new Uint8Array(b) }));
  const pca = pcaSamples(await Promise.all(training.map((f) => atSize(f.image))), n);
  const model = await measure(samples, detector, 'samples', o);
  const baseline = await measure(pca, detector, 'PCA sampler', o);
  const realDetection = (
    await measure(
      real.map((f) => f.image),
      detector,
      'real faces',
      o,
    )
  ).detection;
  const reals = real.map((f) => f.descriptor),
    train = training.map((f) => f.descriptor);
  const [even, odd] = [reals.filter((_, i) => i % 2 === 0), reals.filter((_, i) => i % 2 === 1)];
  const report = {
    schemaVersion: 1,
    modelDir: o.modelDir,
    iteration,
    size: spec.size,
    samples: n,
    truncation: o.truncation ?? 1,
    detection: { samples: model.detection, real: realDetection, pcaSampler: baseline.detection },
    generator: compare(model.descriptors, reals, train),
    pcaSampler: compare(baseline.descriptors, reals, train),
    realVsReal: { ...compare(even, odd, train), memorisationMedian: median(nearestDistances(reals, train)) },
  };
  const out = o.output ?? join(o.modelDir, 'eval-gen');
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, 'report.json'), [JSON.stringify(report, null, 2)]);
  return { report, path: join(out, 'report.json') };
}
