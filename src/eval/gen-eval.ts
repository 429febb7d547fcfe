/**
 * facegan eval-gen: a StyleGAN model's samples measured against real faces, in face-api's 128-d descriptor space
 * (eval/sample-measures.ts), with two baselines in the same report: real against real (the held-out faces' two
 * halves) and a PCA-Gaussian sampler of the training pixels, which a model must beat.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { checkGiven } from '../core/options.js';
import { EVAL_GEN_SCHEMA } from './options.js';
import { join, resolve } from 'node:path';
import { noGrad, resolveDevice, tidy } from '../engine/index.js';
import { planarToRgb, type RgbImage } from '../core/image.js';
import { Random } from '../core/random.js';
import { writeFileAtomic } from '../io/atomic.js';
import { resizeImage } from '../media/image.js';
import { HumanDetector, largestFace } from '../faces/human.js';
import { detectFacesSsd } from '../faces/ssd-net.js';
import { identityOfFace } from '../faces/identity-filter.js';
import { MEAN_FACE, type Point } from '../core/geometry/meanface.js';
import { applyAffine } from '../core/geometry/umeyama.js';
import { unitToCrop } from '../faces/align.js';
import { loadStyleGan } from '../models/stylegan/load.js';
import type { StyleGenerator } from '../models/stylegan/index.js';
import type { Evaluator } from '../train/core/loop.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { zOfSeeds } from '../train/stylegan/family.js';
import { toImages } from '../generate/generate.js';
import { faceFiles } from './identities.js';
import { readFaceCropOrSkip } from '../faces/crop-file.js';
import type { Skipped } from '../core/warnings.js';
import { trainingImage } from '../train/cyclegan/data.js';
import { loadWeights, readModelConfig } from '../models/trained.js';
import { genTargets, renderGenHtml, type CurvePoint, type GenReport } from './gen-html.js';
import {
  diversity,
  frechetDistance,
  kid,
  median,
  nearestDistances,
  precisionRecall,
  symmetricEigen,
} from './sample-measures.js';
import { progressMeter, type OnProgress } from '../core/progress.js';

export interface GenEvalOptions {
  modelDir: string;
  /** Held-out real faces (not trained on). */
  real: string;
  /** The faces the model was trained on (for memorisation and the PCA sampler). */
  training: string;
  samples?: number;
  truncation?: number;
  /** Also measure every snapshot in MODEL_DIR/snapshots (train --snapshot-every): the figures over training. */
  snapshots?: boolean;
  /** Where report.json and report.html go (default MODEL_DIR/eval-gen). */
  output?: string;
  device?: 'auto' | 'cpu' | 'cuda';
  /** Images measured of the set in hand (its name is `detail`: real faces, samples, snapshot N). */
  onProgress?: OnProgress;
}

/** Progress within one set of images: its name, done and total. */
type SetProgress = (set: string, done: number, total: number) => void;

/** One progress meter per set (each set's rate counted from its own start), reported as the stage's events. */
function setProgress(onProgress: OnProgress | undefined): SetProgress {
  const meters = new Map<string, ReturnType<typeof progressMeter>>();
  return (set, done, total) => {
    let meter = meters.get(set);
    if (!meter) meters.set(set, (meter = progressMeter('eval-gen', 'images', onProgress)));
    meter(done, total, {}, set);
  };
}

/** What one set of images scores: the share with a face found, and the descriptors of those found. */
interface Measured {
  detection: number;
  descriptors: number[][];
}

const SIDE = 256; // the detectors read the images at this side
const MARGIN = SIDE / 2;

/**
 * The image at SIDE px inside a black margin of half that each way: a face crop fills its frame, and face-api's SSD
 * looks for faces with surroundings. On the 95 held-out faces of docs/stylegan.md, at 64 px, it found 22% with a
 * margin of a quarter (at 160, 256 or 384 px alike) and 100% with a margin of half.
 */
const upscale = (img: RgbImage): Promise<RgbImage> => resizeImage(img, SIDE, MARGIN);

/**
 * Where the face of every image is, for its descriptor: aligned faces (a model trained on extracted faces, and
 * its real faces) all have the mean face at one place, so every image gets a descriptor, a failed face included,
 * as FID measures every sample; other images have their face found by Human's detector.
 */
export type FaceFinder = { aligned: Point[] } | { detector: HumanDetector };

/**
 * 68 landmarks of the mean face in an upscaled image (17-67; the jaw, 0-16, is not used by the chip's alignment),
 * for images showing the central `coverage` of crops whose mean-face box spans `extractCoverage` of their side.
 */
export function alignedLandmarks(extractCoverage: number, coverage: number): Point[] {
  const m = unitToCrop(SIDE, extractCoverage / coverage);
  const face = MEAN_FACE.map((p) => applyAffine(m, p)).map(([x, y]) => [x + MARGIN, y + MARGIN] as const);
  return [...Array.from({ length: 17 }, () => face[0]!), ...face];
}

/** How a generator's images (and the real ones beside them) have their faces found. */
export const faceFinder = (extractCoverage: number | undefined, coverage: number): FaceFinder =>
  extractCoverage
    ? { aligned: alignedLandmarks(extractCoverage, coverage) }
    : { detector: new HumanDetector({ maxFaces: 4, rotations: 'fallback' }) };

/** The 68 landmarks of the largest face Human finds, if any. */
async function detectedLandmarks(detector: HumanDetector, img: RgbImage): Promise<Point[] | undefined> {
  const face = largestFace(await detector.detect(img));
  return face?.landmarks;
}

async function measure(
  images: RgbImage[],
  finder: FaceFinder,
  stage: string,
  onProgress?: SetProgress,
): Promise<Measured> {
  let detected = 0;
  const descriptors: number[][] = [];
  for (const [i, raw] of images.entries()) {
    const img = await upscale(raw);
    if ((await detectFacesSsd(img)).length) detected++;
    const landmarks = 'aligned' in finder ? finder.aligned : await detectedLandmarks(finder.detector, img);
    if (landmarks) descriptors.push(await identityOfFace(img, landmarks));
    onProgress?.(stage, i + 1, images.length);
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

/** What a generator is measured against, read once: held-out and training descriptors, the baselines' figures. */
interface Reference {
  reals: number[][];
  training: number[][];
  realDetection: number;
  pca: Measured;
  /** The PCA sampler's figures against the reals (a baseline: the same at every evaluation). */
  pcaFigures: ReturnType<typeof compare>;
  size: number;
}

/**
 * A folder's faces as the model sees them (the central coverage share at the model's side, read back at 256 px),
 * so that real faces and samples are measured the same way.
 */
export async function asTrained(
  folder: string,
  max: number,
  flag: string,
  size: number,
  coverage: number,
  /** Aligned measuring: every face must have been extracted with this --coverage (its landmarks are placed so). */
  extractCoverage?: number,
): Promise<RgbImage[]> {
  const out: RgbImage[] = [];
  for (const path of faceFiles(resolve(folder), max, flag)) {
    const crop = await readFaceCropOrSkip(path, []);
    if (!crop) continue;
    const given = crop.record?.crop.coverage;
    if (extractCoverage !== undefined && given !== extractCoverage) {
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `${path} (${flag}) ` +
          `${given === undefined ? 'is not a face from facegan extract' : `was extracted with --coverage ${given}`}, ` +
          `but the model was trained on faces extracted with --coverage ${extractCoverage}: ` +
          'its faces are measured at ' +
          `that alignment. Extract the ${flag} faces with facegan extract --coverage ${extractCoverage}.`,
      );
    }
    out.push(planarToRgb(await trainingImage(crop, size, coverage), size));
  }
  if (!out.length)
    throw new FaceganError(ErrorCodes.BAD_FILE, `No image could be read in ${folder} (given with ${flag}).`);
  return out;
}

async function reference(
  o: { real: string; training: string; size: number; samples: number; coverage: number; extractCoverage?: number },
  finder: FaceFinder,
  onProgress?: SetProgress,
): Promise<Reference> {
  const aligned = 'aligned' in finder ? o.extractCoverage : undefined;
  const real = await asTrained(o.real, 300, '--real', o.size, o.coverage, aligned);
  const training = await asTrained(o.training, 500, '--training', o.size, o.coverage, aligned);
  // the sampler's principal components from at most 300 faces (its Gram matrix is n x n)
  const pca = await measure(pcaSamples(training.slice(0, 300), o.samples), finder, 'PCA sampler', onProgress);
  const realMeasured = await measure(real, finder, 'real faces', onProgress);
  const trainingMeasured = await measure(training, finder, 'training faces', onProgress);
  return {
    reals: realMeasured.descriptors,
    training: trainingMeasured.descriptors,
    realDetection: realMeasured.detection,
    pca,
    pcaFigures: compare(pca.descriptors, realMeasured.descriptors, trainingMeasured.descriptors),
    size: o.size,
  };
}

/** Samples of seeds 0..n-1 from G, measured. */
async function sampleAndMeasure(
  G: StyleGenerator,
  n: number,
  psi: number,
  finder: FaceFinder,
  onProgress?: SetProgress,
): Promise<Measured & { samples: RgbImage[] }> {
  const device = G.mapping.wAvg.device;
  const samples: RgbImage[] = [];
  for (let i = 0; i < n; i += 16) {
    const seeds = Array.from({ length: Math.min(16, n - i) }, (_, k) => i + k);
    samples.push(
      ...tidy(() =>
        noGrad(() => toImages(G.forward(zOfSeeds(seeds, G.spec.zDim).to({ device }), { psi, noise: 'const' }))),
      ),
    );
  }
  return { ...(await measure(samples, finder, 'samples', onProgress)), samples };
}

/** The snapshots train --snapshot-every kept (the EMA generator's weights), by iteration. */
function snapshotFiles(modelDir: string): { iteration: number; path: string }[] {
  const dir = join(modelDir, 'snapshots');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => ({ f, m: /^(\d+)\.safetensors$/.exec(f) }))
    .filter((e) => e.m)
    .map((e) => ({ iteration: Number(e.m![1]), path: join(dir, e.f) }))
    .sort((a, b) => a.iteration - b.iteration);
}

/**
 * Measures a StyleGAN model against held-out faces (detection, KID, FD, precision and recall, diversity,
 * memorisation, beside real vs real and a PCA sampler) and writes report.json and report.html.
 * @example
 * const { report, html } = await evalGen({ modelDir: 'stylegan/', real: 'heldout/', training: 'faces/' });
 * console.log(report.generator.kid, html);
 */
export async function evalGen(o: GenEvalOptions) {
  checkGiven(EVAL_GEN_SCHEMA, o as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const n = o.samples ?? 200,
    psi = o.truncation ?? 1;
  const device = resolveDevice(o.device ?? 'auto');
  const { generator: G, spec, iteration } = loadStyleGan(o.modelDir, device, 'eval-gen');
  const config = readModelConfig<{ coverage?: number; extractCoverage?: number }>(o.modelDir, []);
  const coverage = config.coverage ?? 0.875;
  const finder = faceFinder(config.extractCoverage, coverage);
  const curve: CurvePoint[] = [];
  const skipped: Skipped[] = [];
  let model: Measured & { samples: RgbImage[] };
  let ref: Reference;
  const sets = setProgress(o.onProgress);
  try {
    ref = await reference(
      {
        real: o.real,
        training: o.training,
        size: spec.size,
        samples: n,
        coverage,
        extractCoverage: config.extractCoverage,
      },
      finder,
      sets,
    );
    model = await sampleAndMeasure(G, n, psi, finder, sets);
    // the model itself is measured above; a snapshot past it belongs to a run discarded since (a restored backup)
    for (const snap of o.snapshots ? snapshotFiles(o.modelDir).filter((s) => s.iteration < iteration) : []) {
      try {
        loadWeights(G, snap.path, device);
      } catch (e) {
        skipped.push({ file: snap.path, reason: (e as Error).message }); // a damaged or diverged snapshot
        continue;
      }
      const m = await sampleAndMeasure(G, n, psi, finder, (_, d, t) => sets(`snapshot ${snap.iteration}`, d, t));
      curve.push({
        iteration: snap.iteration,
        detection: m.detection,
        ...compare(m.descriptors, ref.reals, ref.training),
      });
    }
  } finally {
    G.dispose();
  }
  const [even, odd] = [ref.reals.filter((_, i) => i % 2 === 0), ref.reals.filter((_, i) => i % 2 === 1)];
  const generator = compare(model.descriptors, ref.reals, ref.training);
  if (o.snapshots) curve.push({ iteration, detection: model.detection, ...generator });
  const report: GenReport & { schemaVersion: number; skippedSnapshots?: Skipped[] } = {
    schemaVersion: 1,
    modelDir: o.modelDir,
    iteration,
    size: spec.size,
    samples: n,
    truncation: psi,
    detection: { samples: model.detection, real: ref.realDetection, pcaSampler: ref.pca.detection },
    generator,
    pcaSampler: ref.pcaFigures,
    realVsReal: {
      ...compare(even, odd, ref.training),
      memorisationMedian: median(nearestDistances(ref.reals, ref.training)),
    },
    ...(o.snapshots ? { curve, skippedSnapshots: skipped } : {}),
  };
  const out = o.output ?? join(o.modelDir, 'eval-gen');
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, 'report.json'), [JSON.stringify(report, null, 2)]);
  writeFileAtomic(join(out, 'report.html'), [await renderGenHtml(report, model.samples)]);
  return { report, path: join(out, 'report.json'), html: join(out, 'report.html'), targets: genTargets(report) };
}

/**
 * train's evaluator for a generator (--eval-every with --model stylegan): every `every` iterations the EMA
 * generator's samples are measured against the held-out faces; the references and the PCA sampler are measured once.
 * Figures go to the log (gen*: the model's; pcaKid, realDetection: the baselines'); the best KID keeps its checkpoint.
 */
export function generatorEvaluator(o: {
  every: number;
  real: string;
  training: string;
  samples?: number;
  onFigures?: (iteration: number, figures: Record<string, number>) => void;
}): Evaluator {
  const n = o.samples ?? 100;
  let finder: FaceFinder | undefined;
  let ref: Promise<Reference> | undefined;
  return {
    every: o.every,
    score: (f) => -(f.genKid ?? Infinity),
    run: async (target) => {
      if (!('generator' in target))
        throw new FaceganError(ErrorCodes.USAGE, 'eval-gen measures generators, not swaps.');
      finder ??= faceFinder(target.extractCoverage, target.coverage);
      const r = await (ref ??= reference(
        {
          real: o.real,
          training: o.training,
          size: target.generator.spec.size,
          samples: n,
          coverage: target.coverage,
          extractCoverage: target.extractCoverage,
        },
        finder,
      ).catch((e: unknown) => {
        ref = undefined; // a failed read is tried again at the next evaluation
        throw e;
      }));
      const m = await sampleAndMeasure(target.generator, n, 1, finder);
      const c = compare(m.descriptors, r.reals, r.training);
      const figures = {
        genDetection: m.detection,
        genKid: c.kid,
        genFd: c.fd,
        genPrecision: c.precision,
        genRecall: c.recall,
        genDiversity: c.diversity,
        genMemorisation: c.memorisationMedian,
        realDetection: r.realDetection,
        pcaKid: r.pcaFigures.kid,
      };
      o.onFigures?.(target.iteration, figures);
      return figures;
    },
  };
}
