/**
 * facegan eval: how good a swap is, measured the way face-swapping papers do. Each frame's largest face is swapped
 * (as convert does it) and the result is judged by nets other than the one that made it: face-api's detector
 * (is it still a face?), face-api's recognition net (whose face is it?), and the landmark mesh (does it keep the
 * pose and the expression of the face it replaced?). A->A reconstruction of the same held-out faces, against a
 * mean-face baseline, shows how much the model has learnt. Writes report.json and report.html.
 */
import { Warnings, type Skipped } from '../core/warnings.js';
import { checkGiven } from '../core/options.js';
import { EVAL_DEFAULTS, EVAL_SCHEMA } from './options.js';
import { mkdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';
import { boxIou, boxOfPoints, type Box } from '../core/geometry/box.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { defined } from '../core/options.js';
import { noGrad, resolveDevice, tidy, type Device, type Tensor } from '../engine/index.js';
import { inputKind, listFrames } from '../media/frames.js';
import { writeFileAtomic } from '../io/atomic.js';
import { HumanDetector, type DetectedFace } from '../faces/human.js';
import { byAreaDescending } from '../faces/detected.js';
import { IdentityFilter, identityOfFace } from '../faces/identity-filter.js';
import { SAME_PERSON, SSD_FOUND, descriptorDistance } from '../faces/identity.js';
import { detectFacesSsd } from '../faces/ssd-net.js';
import { expressionDistance, mouthOpening, pearson, poseDifference } from '../faces/expression.js';
import { loadTrainedModel, type ModelGeometry, type SwapModel, type TrainedModel } from '../models/trained.js';
import {
  forwardModel,
  prepareFace,
  runModel,
  pastedCopy,
  pastedInput,
  useBf16,
  type ColourMode,
  type PreparedFace,
  type SwapSettings,
} from '../swap/swap.js';
import { VERSION } from '../version.js';
import type { MaskType } from '../swap/masks.js';
import { PASTE_DEFAULTS, learnedMaskError } from '../swap/paste-options.js';
import { centroid, faceFiles, folderFaces } from './identities.js';
import { meanOf, ReconstructionStats } from './reconstruction.js';
import { readFaceCropOrSkip } from '../faces/crop-file.js';
import { REPORT_VERSION, finite, mean, type EvalReport, type FrameResult } from './report.js';
import { exampleImage, renderHtml, type Example } from './html.js';
import { progressMeter, type OnProgress } from '../core/progress.js';

export interface EvalOptions {
  /** Called with what the run could not do as asked (a face file it could not read, a video cut short). */
  onWarning?: (message: string) => void;
  /** The model folder (its model is loaded unless `model` is given; the report goes in MODEL_DIR/eval/ by default). */
  modelDir: string;
  /** An already loaded model (train --eval-every, tests). */
  model?: SwapModel;
  /** Frames the model was not trained on: an image, a folder of images or a video. */
  input: string;
  /** Faces of the person put in (B for A->B): extract's crops, or photos. */
  source: string;
  /** Folders of other people, for identity retrieval. */
  gallery?: string[];
  /**
   * The training faces of the input's person (A for A->B): the reconstruction's template baseline is their mean, what a
   * model that learnt only a template would output.
   */
  faces?: string;
  /** Report folder (default MODEL_DIR/eval/INPUT_NAME). */
  output?: string;
  /** Evaluate B->A: the input shows B, the source is A. */
  swap?: boolean;
  /**
   * Photos of the person to replace: in frames that show others too, the largest face of this person is measured,
   * and a frame without them counts as a frame without a face (as convert --filter swaps only them).
   */
  filter?: string[];
  /** Identity distance under which a face counts as the filter's person. */
  filterThreshold?: number;
  everyN?: number;
  maxFrames?: number;
  /** Spread maxFrames over the whole input (sets everyN). */
  spread?: boolean;
  /** Faces read from each of --source and --gallery (evenly spread). */
  maxFaces?: number;
  /** Colour matching of the swap (as convert's --color). */
  color?: ColourMode;
  /** @deprecated The same as `color`. */
  colour?: ColourMode;
  /** The blend mask, its erosion and feather, and sharpening, as convert's (default: convert's). */
  mask?: MaskType;
  erode?: number;
  feather?: number;
  sharpen?: number;
  precision?: 'auto' | 'fp32' | 'bf16';
  device?: 'auto' | 'cpu' | 'cuda';
  /** Write report.json and report.html (default true). */
  write?: boolean;
  signal?: AbortSignal;
  /** Frames measured of those planned. */
  onProgress?: OnProgress;
}

export { EVAL_DEFAULTS };

export interface EvalResult {
  report: EvalReport;
  /** Where report.json and report.html were written (when written). */
  folder?: string;
  /** Stopped by the signal: the report covers the frames done and was not written. */
  stopped?: boolean;
}

/** An input face on its way through the model. */
interface Job {
  key: string;
  index: number;
  timestamp: number | null;
  image: RgbImage;
  face: DetectedFace;
  landmarks: Point[];
  descriptor: number[];
  /** SSD's score on the input's face. */
  inputScore: number;
}

/** What the landmark series of a measured face needs for the temporal figure. */
interface Track {
  index: number;
  width: number;
  input: readonly Point[];
  output: readonly Point[];
}

const BATCH = 8;
/** Faces smaller than this (box side, px) are not measured: too small for the nets that judge a swap. */
const MIN_FACE = 20;
/**
 * A detection is the face's when their boxes overlap this much. face-api's SSD boxes are tight, so they are matched
 * against the box of the face's landmarks (IoU 0.66-0.90 measured on GRID, Obama and a selfie video), not Human's
 * box, which is about twice as wide: against it the same faces scored 0.24-0.34, and a 720p Obama frame failed.
 */
const MIN_IOU = 0.3;
const overlapping = <T extends { box: Box }>(found: readonly T[], box: Box): T | undefined =>
  found
    .map((f) => ({ f, iou: boxIou(f.box, box) }))
    .filter((x) => x.iou >= MIN_IOU)
    .sort((a, b) => b.iou - a.iou)[0]?.f;

/** The lowest confidence SSD reports a box at, so that a face it does not find still has a score. */
const SSD_FLOOR = 0.05;

/**
 * face-api's SSD detector (a second detector) on the face with these landmarks in an image: its highest confidence
 * among the boxes over that face, from SSD_FLOOR (0 when it sees nothing there); the face is found from SSD_FOUND.
 */
export async function ssdScore(image: RgbImage, landmarks: readonly Point[]): Promise<number> {
  const box = boxOfPoints(landmarks);
  const over = (await detectFacesSsd(image, SSD_FLOOR)).filter((f) => boxIou(f.box, box) >= MIN_IOU);
  return Math.max(0, ...over.map((f) => f.score));
}

/** A frame's result before anything is measured on its swapped face (or when its input holds no face). */
const unmeasured = (key: string, timestamp: number | null, face: boolean): Omit<FrameResult, 'psnr' | 'ssim'> => ({
  key,
  timestamp,
  face,
  detected: false,
  measured: false,
  distanceToSource: null,
  distanceToOriginal: null,
  nearest: null,
  pose: null,
  expression: null,
  mouthIn: null,
  mouthOut: null,
});

/** The landmark mesh's face in `image` that is the one at `box`, if it finds it. */
const meshAt = async (detector: HumanDetector, image: RgbImage, box: Box) =>
  overlapping(await detector.detect(image), box);

const mouthOf = (face: DetectedFace | undefined) => (face ? mouthOpening(face.landmarks) : null);

/**
 * The correlation of the input's mouth opening with the swap's (over the measured frames, as before the references
 * came), or with a reference's: the reconstruction's or the ceiling's, over the frames where all three were read,
 * which are the measured ones unless the mesh missed a reference's face.
 */
function mouthCorrelation(results: readonly FrameResult[], copy: 'mouthOut' | 'mouthRebuilt' | 'mouthCeiling') {
  const read = results.filter(
    (r) =>
      r.mouthIn !== null &&
      r.mouthOut !== null &&
      (copy === 'mouthOut' || (typeof r.mouthRebuilt === 'number' && typeof r.mouthCeiling === 'number')),
  );
  return finite(
    pearson(
      read.map((r) => r.mouthIn!),
      read.map((r) => r[copy]!),
    ),
  );
}

/**
 * Measures a trained model on held-out frames and writes the report.
 * @example
 * const { report } = await evaluate({ modelDir: 'model/', input: 'held-out.mp4', source: 'faces_b/' });
 * console.log(report.identity.retrieval, report.expression?.mouthCorrelation);
 */
export async function evaluate(options: EvalOptions): Promise<EvalResult> {
  const started = performance.now();
  checkGiven(EVAL_SCHEMA, options as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const o = { ...EVAL_DEFAULTS, ...defined(options) } as EvalOptions & typeof EVAL_DEFAULTS;
  const progress = progressMeter('eval', 'frames', o.onProgress);
  if (!(o.everyN >= 1 && o.maxFrames >= 1 && o.maxFaces >= 1))
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      'Expected --every-n, --max-frames and --max-faces to be 1 or more.',
    );
  const input = resolve(o.input);
  const kind = inputKind(input);
  const device: Device = resolveDevice(o.device ?? 'auto');
  const model = o.model ?? loadTrainedModel(resolve(o.modelDir), device);
  if ('trainedOn' in model && model.trainedOn === 'images') {
    if (!o.model) (model as TrainedModel).model.dispose();
    throw new FaceganError(
      ErrorCodes.BAD_MODEL,
      `${o.modelDir} is a CycleGAN trained on whole images: ` +
        'eval measures face swaps, so it needs a model trained on extracted faces.',
    );
  }
  const decoder = o.swap ? 'a' : 'b',
    own = o.swap ? 'b' : 'a';
  // pasted as convert pastes, with convert's defaults
  const paste = {
    mask: o.mask ?? PASTE_DEFAULTS.mask,
    erode: o.erode ?? PASTE_DEFAULTS.erode,
    feather: o.feather ?? PASTE_DEFAULTS.feather,
    sharpen: o.sharpen ?? PASTE_DEFAULTS.sharpen,
  };
  const maskError = learnedMaskError(paste.mask, model.geometry.mask, o.modelDir);
  if (maskError) {
    if (!o.model) (model as TrainedModel).model.dispose();
    throw maskError;
  }
  const settings: SwapSettings = {
    ...paste,
    decoder,
    colour: options.color ?? options.colour ?? EVAL_DEFAULTS.color,
    device,
    bf16: useBf16(o.precision, device),
  };
  const detector = new HumanDetector({ maxFaces: 10, rotations: 'fallback' });

  const warnings = new Warnings(o.onWarning);
  const readFolder = async (dir: string, flag: string) => {
    const skipped: Skipped[] = [];
    const faces = await folderFaces(resolve(dir), detector, o.maxFaces, flag, skipped);
    warnings.skipped(skipped, resolve(dir), faceFiles(resolve(dir), o.maxFaces, flag).length);
    return faces;
  };
  const filterPhotos = o.filter?.length ? o.filter.map((f) => resolve(f)) : undefined;
  const filter = filterPhotos
    ? await IdentityFilter.fromImages(detector, filterPhotos, [], o.filterThreshold)
    : undefined;
  /** The frame's face to swap (the largest; of the filter's person when given) and its identity descriptor. */
  const faceToSwap = async (image: RgbImage) => {
    const found = (await detector.detect(image)).filter((f) => Math.min(f.box[2], f.box[3]) >= MIN_FACE);
    for (const face of found.sort(byAreaDescending)) {
      const descriptor = await identityOfFace(image, face.landmarks);
      if (!filter || filter.keeps(descriptor)) return { face, descriptor };
    }
    return undefined;
  };
  const sourceFaces = await readFolder(o.source, '--source');
  const gallery = [];
  for (const dir of o.gallery ?? []) {
    const faces = await readFolder(dir, '--gallery');
    gallery.push({
      name: basename(resolve(dir)),
      folder: resolve(dir),
      centroid: centroid(faces.map((f) => f.descriptor)),
      faces: faces.length,
    });
  }
  const sourceCentroid = centroid(sourceFaces.map((f) => f.descriptor));
  // the template baseline: the mean of the input person's training faces, framed as the model's inputs
  const template = o.faces ? await templateOf(resolve(o.faces), o.maxFaces, model.geometry, warnings) : undefined;

  const everyN = o.spread ? Math.max(1, Math.floor(listFrames(input, kind, 1).total / o.maxFrames)) : o.everyN;
  const { total, frames } = listFrames(input, kind, everyN, o.signal, (m) => warnings.add(m));
  const planned = Math.min(total, o.maxFrames);
  const results: FrameResult[] = [];
  const outputs: (number[] | undefined)[] = [];
  const originals: number[][] = [];
  const tracks: Track[] = [];
  const examples: Example[] = [];
  const exampleAt = new Set(Array.from({ length: 6 }, (_, i) => Math.floor(((i + 0.5) * planned) / 6)));
  const recon = new ReconstructionStats(own),
    cycleRecon = new ReconstructionStats(own);
  let queue: Job[] = [];

  const run = async (jobs: Job[]) => {
    const prepared: PreparedFace[] = jobs.map((j) => prepareFace(j.image, j.landmarks, model.geometry));
    const swapped = runModel(model, prepared, settings);
    const rebuilt = runModel(model, prepared, { ...settings, decoder: own });
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      const out = pastedCopy(job.image, prepared[i]!, swapped[i]!, settings);
      const fit = recon.add(prepared[i]!.pixels, rebuilt[i]!);
      // the cycle: the swap taken back through the model toward the input's side (A->B->A)
      const cycled = noGrad(() =>
        tidy(() => forwardModel(model, swapped[i]!.narrow(1, 0, 3).contiguous(), { ...settings, decoder: own })),
      );
      cycleRecon.add(prepared[i]!.pixels, cycled);
      cycled.dispose();
      swapped[i]!.dispose();
      const r = await measure(job, out);
      // the references are pasted and read only where the swap's mouth was: the three correlations share frames
      const mouths = r.result.measured ? await referenceMouths(job, prepared[i]!, rebuilt[i]!) : undefined;
      rebuilt[i]!.dispose();
      results.push({
        ...r.result,
        mouthRebuilt: mouths?.rebuilt ?? null,
        mouthCeiling: mouths?.ceiling ?? null,
        psnr: fit.psnr,
        ssim: fit.ssim,
      });
      outputs.push(r.descriptor);
      if (exampleAt.has(results.length - 1)) examples.push(await exampleImage(job.key, job.image, out, job.face.box));
    }
  };

  // the mouth measure's two references: the A->A reconstruction pasted as the swap is, and the input's own crop at
  // the model's size pasted back (what a model that gave back its input exactly would show the measure)
  const referenceMouths = async (job: Job, face: PreparedFace, rebuilt: Tensor) => {
    const rebuiltFrame = pastedCopy(job.image, face, rebuilt, { ...settings, decoder: own });
    const ceilingFrame = pastedInput(job.image, face, settings);
    return {
      rebuilt: mouthOf(await meshAt(detector, rebuiltFrame, job.face.box)),
      ceiling: mouthOf(await meshAt(detector, ceilingFrame, job.face.box)),
    };
  };

  const measure = async (
    job: Job,
    out: RgbImage,
  ): Promise<{ result: Omit<FrameResult, 'psnr' | 'ssim'>; descriptor?: number[] }> => {
    const scores = { detectionScore: await ssdScore(out, job.landmarks), inputDetectionScore: job.inputScore };
    const base = { ...unmeasured(job.key, job.timestamp, true), ...scores };
    if (scores.detectionScore < SSD_FOUND) return { result: base };
    const found = await meshAt(detector, out, job.face.box);
    if (!found) return { result: { ...base, detected: true } };
    const landmarks = found.landmarks;
    const descriptor = await identityOfFace(out, landmarks);
    tracks.push({ index: job.index, width: job.face.box[2], input: job.landmarks, output: landmarks });
    return {
      descriptor,
      result: {
        ...base,
        detected: true,
        measured: true,
        distanceToSource: descriptorDistance(descriptor, sourceCentroid),
        distanceToOriginal: descriptorDistance(descriptor, job.descriptor),
        pose: poseDifference(job.face.angles, found.angles),
        expression: expressionDistance(job.landmarks, landmarks),
        mouthIn: mouthOpening(job.landmarks),
        mouthOut: mouthOpening(landmarks),
      },
    };
  };

  let seen = 0,
    inputDetected = 0;
  for await (const frame of frames) {
    if (o.signal?.aborted || seen >= planned) break;
    if (!frame.isImage) continue;
    seen++;
    const image = await frame.image();
    const chosen = await faceToSwap(image);
    if (!chosen) {
      results.push({ ...unmeasured(frame.key, frame.timestamp ?? null, false), psnr: null, ssim: null });
      outputs.push(undefined);
    } else {
      const { face, descriptor } = chosen;
      const landmarks = face.landmarks;
      originals.push(descriptor);
      const inputScore = await ssdScore(image, landmarks);
      if (inputScore >= SSD_FOUND) inputDetected++;
      queue.push({
        key: frame.key,
        index: frame.index ?? seen - 1,
        timestamp: frame.timestamp ?? null,
        image,
        face,
        landmarks,
        descriptor,
        inputScore,
      });
      if (queue.length >= BATCH) {
        await run(queue);
        queue = [];
      }
    }
    progress(seen, planned);
  }
  if (queue.length) await run(queue);
  if (!originals.length)
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      filter
        ? `No face of the --filter person found in ${o.input}: give frames that show them, or other --filter photos ` +
            `(or a --filter-threshold above ${filter.threshold}).`
        : `No face found in ${o.input}: eval needs frames showing the person to swap.`,
    );

  // B->B (or A->A) on the source's own faces, where their records give the landmarks
  const sourceRecon = new ReconstructionStats(decoder);
  const withLandmarks = sourceFaces.filter((f) => f.landmarks);
  for (let i = 0; i < withLandmarks.length; i += BATCH) {
    const prepared = withLandmarks.slice(i, i + BATCH).map((f) => prepareFace(f.image, f.landmarks!, model.geometry));
    runModel(model, prepared, { ...settings, decoder }).forEach((y, k) => {
      sourceRecon.add(prepared[k]!.pixels, y);
      y.dispose();
    });
  }

  // identity: the nearest of the source, the original person and the gallery
  const identities = [
    { name: 'source', centroid: sourceCentroid },
    { name: 'original', centroid: centroid(originals) },
    ...gallery,
  ];
  const nearest: Record<string, number> = Object.fromEntries(identities.map((i) => [i.name, 0]));
  results.forEach((r, i) => {
    const d = outputs[i];
    if (!d) return;
    r.nearest = identities
      .map((id) => ({ name: id.name, dist: descriptorDistance(d, id.centroid) }))
      .sort((a, b) => a.dist - b.dist)[0]!.name;
    nearest[r.nearest]!++;
  });

  const faced = results.filter((r) => r.face),
    measured = results.filter((r) => r.measured);
  const values = <K extends keyof FrameResult>(k: K) =>
    measured.map((r) => r[k]).filter((v): v is NonNullable<FrameResult[K]> => v !== null);
  const abs = (axis: 'yaw' | 'pitch' | 'roll') => mean(values('pose').map((p) => Math.abs(p[axis]))) ?? 0;
  const pose = measured.length ? { yaw: abs('yaw'), pitch: abs('pitch'), roll: abs('roll'), mean: 0 } : null;
  if (pose) pose.mean = (pose.yaw + pose.pitch + pose.roll) / 3;
  const report: EvalReport = {
    schemaVersion: REPORT_VERSION,
    facegan: VERSION,
    createdAt: new Date().toISOString(),
    seconds: 0,
    model: {
      dir: resolve(o.modelDir),
      type: model.geometry.model,
      iteration: model.iteration,
      direction: o.swap ? 'B->A' : 'A->B',
    },
    input: { path: input, kind, everyN, ...(filterPhotos ? { filter: filterPhotos } : {}) },
    paste: { ...paste, color: settings.colour },
    source: { folder: resolve(o.source), faces: sourceFaces.length },
    gallery: gallery.map((g) => ({ name: g.name, folder: g.folder, faces: g.faces })),
    counts: {
      frames: results.length,
      inputFaces: faced.length,
      detected: faced.filter((r) => r.detected).length,
      measured: measured.length,
    },
    detection: {
      rate: faced.length ? faced.filter((r) => r.detected).length / faced.length : null,
      inputRate: faced.length ? inputDetected / faced.length : null,
    },
    identity: {
      threshold: SAME_PERSON,
      distanceToSource: mean(values('distanceToSource')),
      distanceToOriginal: mean(values('distanceToOriginal')),
      sourceToOriginal: descriptorDistance(sourceCentroid, identities[1]!.centroid),
      retrieval: measured.length ? measured.filter((r) => r.nearest === 'source').length / measured.length : null,
      retrievalUnderThreshold: measured.length
        ? measured.filter((r) => r.nearest === 'source' && r.distanceToSource! < SAME_PERSON).length / measured.length
        : null,
      nearest,
    },
    pose,
    expression: measured.length
      ? {
          error: mean(values('expression'))!,
          mouthCorrelation: mouthCorrelation(results, 'mouthOut'),
          mouthReconstruction: mouthCorrelation(results, 'mouthRebuilt'),
          mouthCeiling: mouthCorrelation(results, 'mouthCeiling'),
        }
      : null,
    reconstruction: { input: recon.result(template), source: sourceRecon.result(), cycle: cycleRecon.result() },
    temporal: kind === 'video' ? temporal(tracks, everyN) : null,
    frames: results,
  };
  report.seconds = (performance.now() - started) / 1000;
  if (o.signal?.aborted) return { report, stopped: true };
  if (o.write === false) return { report };
  const folder = resolve(o.output ?? join(o.modelDir, 'eval', basename(input, extname(input))));
  mkdirSync(folder, { recursive: true });
  writeFileAtomic(join(folder, 'report.json'), [JSON.stringify(report, null, 1)]);
  writeFileAtomic(join(folder, 'report.html'), [renderHtml(report, examples)]);
  return { report, folder };
}

/** Mean frame-to-frame landmark motion of consecutive evaluated frames, as a share of the face's width. */
function temporal(tracks: readonly Track[], step: number): EvalReport['temporal'] {
  const inp: number[] = [],
    out: number[] = [],
    added: number[] = [];
  for (let i = 1; i < tracks.length; i++) {
    const a = tracks[i - 1]!,
      b = tracks[i]!;
    if (b.index - a.index !== step) continue;
    let si = 0,
      so = 0,
      sd = 0;
    for (let k = 0; k < 68; k++) {
      const di = [b.input[k]![0] - a.input[k]![0], b.input[k]![1] - a.input[k]![1]],
        dout = [b.output[k]![0] - a.output[k]![0], b.output[k]![1] - a.output[k]![1]];
      si += Math.hypot(di[0]!, di[1]!);
      so += Math.hypot(dout[0]!, dout[1]!);
      sd += Math.hypot(dout[0]! - di[0]!, dout[1]! - di[1]!);
    }
    const w = 68 * b.width;
    inp.push(si / w);
    out.push(so / w);
    added.push(sd / w);
  }
  return inp.length ? { inputJitter: mean(inp)!, outputJitter: mean(out)!, addedJitter: mean(added)! } : null;
}

/** The mean model input of up to `max` training faces (spread over the folder) that carry landmarks. */
async function templateOf(
  folder: string,
  max: number,
  geometry: ModelGeometry,
  warnings: Warnings,
): Promise<Float32Array | undefined> {
  const skipped: Skipped[] = [],
    inputs: Float32Array[] = [];
  const files = faceFiles(folder, max, '--faces');
  for (const path of files) {
    const crop = await readFaceCropOrSkip(path, skipped);
    if (!crop?.landmarks) continue;
    inputs.push(prepareFace(crop.image, crop.landmarks, geometry).pixels);
  }
  warnings.skipped(skipped, folder, files.length);
  if (!inputs.length) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No face with landmarks in ${folder} (given with --faces): give the faces facegan extract wrote for this person.`,
    );
  }
  return meanOf(inputs);
}
