/**
 * facegan convert: swaps the faces of an image, a folder of images or a video with a trained model. Faces come
 * from the input's alignments file when there is one (as extract wrote it), else they are found on the fly. In a
 * video, frames are read a few ahead so that each face's landmarks can be smoothed over the frames around it.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { RgbImage } from '../core/image.js';
import type { Alignments } from '../core/alignments.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { checkGiven, defined } from '../core/options.js';
import { progressMeter, type OnProgress } from '../core/progress.js';
import { CONVERT_DEFAULTS, CONVERT_SCHEMA } from './options.js';
import { learnedMaskError } from '../swap/paste-options.js';
import { resolveDevice, type Device, type Tensor } from '../engine/index.js';
import { inputKind, listFrames, type Frame, type InputKind } from '../media/frames.js';
import { writeImage } from '../media/image.js';
import { VideoWriter, removePartials, type VideoCodec } from '../media/video-writer.js';
import type { FrameIndex } from '../media/video-index.js';
import { lockAt, lockFolder } from '../io/lock.js';
import { orSkip, Warnings, type Skipped } from '../core/warnings.js';
import { timed, timedAsync, type StageTimes } from '../core/stage-times.js';
import { requireSomeRead } from '../faces/crop-file.js';
import { drawOverlay, provenanceTags, provenanceXmp, renderLabel, type Overlay } from '../media/provenance.js';
import { defaultAlignmentsPath, readAlignmentsFile } from '../io/alignments-file.js';
import { HumanDetector } from '../faces/human.js';
import { ScaledReader } from '../faces/scaled-reader.js';
import { IdentityFilter, identityOfFace } from '../faces/identity-filter.js';
import { SAME_PERSON } from '../faces/identity.js';
import {
  describeTrainedModel,
  loadTrainedModel,
  requireFamily,
  type TrainedModel,
  type TrainedModelInfo,
} from '../models/trained.js';
import type { FamilyId } from '../models/registry.js';
import { imageOutputName, resolveOutput, type OutputTarget } from './output.js';
import { smoothLandmarks, type TrackedFace } from './smooth.js';
import {
  prepareFace,
  runModel,
  pasteFace,
  useBf16,
  type ColourMode,
  type PreparedFace,
  type SwapSettings,
} from '../swap/swap.js';
import { translateImage } from '../swap/whole-image.js';
import { ModelThread } from '../swap/model-thread.js';
import type { MaskType } from '../swap/masks.js';

export interface ConvertOptions {
  /** An image, a folder of images, or a video. */
  input: string;
  /** Same kind as the input; from a video also a folder (PNG frames) or a .gif. */
  output: string;
  /** A model folder written by facegan train. */
  modelDir: string;
  /** Alignments file (default: the input's, INPUT.alignments.json, when it exists; else faces are found on the fly). */
  alignments?: string;
  /** Swap B->A instead of A->B. */
  swap?: boolean;
  /** Only swap faces of the person in these photos. */
  filter?: string[];
  filterThreshold?: number;
  mask?: MaskType;
  erode?: number;
  feather?: number;
  /** Colour matching (the command line's --color). */
  color?: ColourMode;
  sharpen?: number;
  /** Model precision; auto (default): bf16 where it runs natively (GPUs, CPUs with AMX/AVX512-BF16), else fp32. */
  precision?: 'auto' | 'fp32' | 'bf16';
  device?: 'auto' | 'cpu' | 'cuda';
  /** Frames whose faces go through the model together (batched inference is several times faster per face). */
  batch?: number;
  /**
   * Run the model in a thread of its own, beside the loop that cuts and pastes the faces (default: for video
   * outputs of face models).
   */
  modelThread?: boolean;
  /** Frames either side over which landmarks are averaged in a video (0: none). */
  smooth?: number;
  codec?: VideoCodec;
  crf?: number;
  preset?: string;
  /** Text drawn visibly on every output (besides the metadata label). */
  label?: string;
  /** Models trained on whole images (CycleGAN): the side frames are translated at (default: the training's). */
  resolution?: number;
  /** Write the IPTC "synthetic" label into the metadata (default true). */
  provenance?: boolean;
  /**
   * Only a video's frames [from, to) (frame indices): the output holds those alone, without audio, and the frames
   * either side are read for smoothing, so that the parts joined match a whole run. Work shared over machines
   * converts a video so. `index`: the video's frame times, when read already (else read here).
   */
  frames?: { from: number; to: number; index?: FrameIndex };
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Frames done of all (skipped ones included), with `figures.faces` swapped so far. */
  onProgress?: OnProgress;
  /** Called with what the run could not do as asked, as it happens; also in the summary. */
  onWarning?: (message: string) => void;
  /** Adds the time of each stage of the frame loop here: decode, read, faces, prepare, model, paste: ..., encode. */
  times?: StageTimes;
}

export interface ConvertSummary {
  output: OutputTarget;
  frames: number;
  /** Faces swapped. */
  faces: number;
  /** Frames in which no face was swapped. */
  withoutFaces: number;
  /** Images of a folder already converted by an earlier run (kept). */
  skipped: number;
  /** Where the faces came from; whole-image: a model trained on whole images translated each frame whole. */
  source: 'alignments' | 'detector' | 'whole-image';
  seconds: number;
  stopped: boolean;
  /** What the run could not do as asked (an image it could not read, a video shorter than it states). */
  warnings: string[];
}

/** A frame's image, or undefined (the file added to `skipped`) when it cannot be read: the others go on. */
async function readOrSkip(frame: Frame, skipped: Skipped[]): Promise<RgbImage | undefined> {
  if (frame.problem) {
    skipped.push({ file: frame.key, reason: `${frame.key}: ${frame.problem}` });
    return undefined;
  }
  return orSkip(frame.key, skipped, () => frame.image());
}

/** A face to swap: its box and landmarks, and its identity descriptor when the alignments file has one. */
interface FrameFace extends TrackedFace {
  identity?: number[];
}

interface Pending {
  frame: Frame;
  image: RgbImage;
  faces: FrameFace[];
}

/** A face of a group, in the group's frame `frame`. */
interface Job {
  frame: number;
  face: PreparedFace;
}

/** Frames whose faces are in the model: their outputs, once it has run. */
interface Group {
  group: Pending[];
  jobs: Job[];
  outputs: Promise<Tensor[]>;
}

/** Finds the faces of a frame: from the alignments file, or with the detector. */
type FaceSource = (frame: Frame, image: RgbImage) => Promise<FrameFace[]>;

function alignmentsSource(doc: Alignments): FaceSource {
  return async (frame) => {
    const rec = doc.frames[frame.key];
    if (!rec) return [];
    return rec.faces.map((f) => ({ box: f.box, landmarks: f.landmarks, identity: f.identity }));
  };
}

/**
 * Swaps every face of the input and writes the output, labelled as synthetic.
 * @example
 * await convert({ input: 'clip.mp4', output: 'swapped.mp4', modelDir: 'model/' });
 */
export async function convert(options: ConvertOptions): Promise<ConvertSummary> {
  return convertWith(options, 'pair', 'facegan convert');
}

/**
 * The frame loop convert and translate share: frames in (images, folders, videos), faces found or read, the
 * model run in batches, pasted back (or whole frames translated), written out labelled.
 */
export async function convertWith(options: ConvertOptions, family: FamilyId, command: string): Promise<ConvertSummary> {
  const started = performance.now();
  checkGiven(CONVERT_SCHEMA, options as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const o = { ...CONVERT_DEFAULTS, ...defined(options) } as Settled;
  const input = resolve(o.input);
  const kind = inputKind(input);
  const target = resolveOutput(input, kind, o.output, !!o.overwrite);
  // one writer per output; the hidden partial video of a run that died is removed once the lock is ours
  const release =
    target.kind === 'video'
      ? lockAt(join(dirname(target.path), `.${basename(target.path)}.lock`), `The output ${target.path}`)
      : target.kind === 'image'
        ? () => undefined
        : lockFolder(target.path, 'The output folder');
  let opening: Promise<ModelThread> | undefined;
  try {
    if (target.kind === 'video') removePartials(target.path);
    const device = resolveDevice(o.device ?? 'auto');
    const model = describeTrainedModel(resolve(o.modelDir));
    requireFamily(model, family, o.modelDir, command);
    // the model's own thread loads the model while this one opens the input
    opening = openModelThread(o, target, model, device);
    return await convertTo(o, input, kind, target, command, started, { ...model, device, opening });
  } finally {
    await opening?.then(
      (t) => t.close(),
      () => undefined,
    );
    release();
  }
}

/** The model's thread, for video outputs of face models unless `modelThread` says otherwise. */
function openModelThread(
  o: Settled,
  target: OutputTarget,
  model: TrainedModelInfo,
  device: Device,
): Promise<ModelThread> | undefined {
  if (!(o.modelThread ?? target.kind === 'video') || model.trainedOn === 'images') return undefined;
  const opening = ModelThread.open({ modelDir: resolve(o.modelDir), device, bf16: useBf16(o.precision, device) });
  opening.catch(() => undefined); // awaited by convertTo, or closed unused after an error
  return opening;
}

type Settled = ConvertOptions & Required<Pick<ConvertOptions, keyof typeof CONVERT_DEFAULTS>>;

async function convertTo(
  o: Settled,
  input: string,
  kind: InputKind,
  target: OutputTarget,
  command: string,
  started: number,
  described: TrainedModelInfo & { device: Device; opening?: Promise<ModelThread> },
): Promise<ConvertSummary> {
  const { geometry, trainedOn, device, opening } = described;
  const warnings = new Warnings(o.onWarning);
  const progress = progressMeter(command === 'facegan translate' ? 'translate' : 'convert', 'frames', o.onProgress);
  // the weights, here only when no thread of its own runs the model (that thread loads them)
  const trained: TrainedModel | undefined = opening ? undefined : loadTrainedModel(described, device);
  const wholeImages = trainedOn === 'images';
  const maskError = learnedMaskError(o.mask, geometry.mask, o.modelDir);
  if (maskError) throw maskError;
  const settings: SwapSettings = {
    decoder: o.swap ? 'a' : 'b',
    mask: o.mask,
    erode: o.erode,
    feather: o.feather,
    colour: o.color,
    sharpen: o.sharpen,
    bf16: useBf16(o.precision, device),
    device,
  };

  if (wholeImages && (o.filter?.length || o.alignments)) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${o.modelDir} was trained on whole images, so it translates whole frames: ` +
        '--filter and --alignments do not apply.',
    );
  }
  const alignmentsPath = o.alignments ? resolve(o.alignments) : defaultAlignmentsPath(input);
  if (o.alignments && !existsSync(alignmentsPath))
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No alignments file at ${o.alignments}: run facegan extract on the input first, ` +
        'or leave --alignments out to find faces on the fly.',
    );
  const doc = !wholeImages && existsSync(alignmentsPath) ? readAlignmentsFile(alignmentsPath) : undefined;
  const detector =
    !wholeImages && (!doc || o.filter?.length)
      ? new HumanDetector({ video: kind === 'video', maxFaces: 20, rotations: 'fallback' })
      : undefined;
  // a video's frames reach Human scaled down while their faces are large (faces/scaled-reader.ts)
  const frameReader = detector && kind === 'video' ? new ScaledReader(detector) : detector;
  const findFaces: FaceSource = wholeImages
    ? async () => []
    : doc
      ? alignmentsSource(doc)
      : async (_f, image) =>
          (await frameReader!.detect(image))
            .filter((f) => Math.min(f.box[2], f.box[3]) >= 20)
            .map((f) => ({ box: f.box, landmarks: f.landmarks }));
  const filter = o.filter?.length
    ? await IdentityFilter.fromImages(detector!, o.filter, [], o.filterThreshold ?? SAME_PERSON)
    : undefined;

  const part = o.frames;
  if (part && (kind !== 'video' || target.kind !== 'video' || !(part.from >= 0 && part.to > part.from)))
    throw new FaceganError(
      ErrorCodes.USAGE,
      `frames (${JSON.stringify(part)}) picks a part of a video for a video output: from >= 0 and to > from.`,
    );
  const radius = kind === 'video' ? o.smooth : 0;
  // a part reads `radius` frames either side of it, for the smoothing window
  const range = part && {
    from: Math.max(0, part.from - radius),
    to: part.to + radius,
    ...(part.index ? { index: part.index } : {}),
  };
  const listed = listFrames(input, kind, 1, o.signal, (m) => warnings.add(m), range);
  const { frames, video } = listed;
  const total = part ? Math.min(part.to, video!.frames) - part.from : listed.total;
  const xmp = o.provenance === false ? undefined : provenanceXmp();
  // the model's own thread (opened only for models of faces, and then the only model: this thread loaded none),
  // ready before the output is started: a model it cannot load stops the run here
  const thread = opening ? await opening : undefined;
  const writer =
    target.kind === 'video' && video
      ? new VideoWriter({
          path: target.path,
          width: video.width,
          height: video.height,
          fps: video.rate,
          audioFrom: part ? undefined : input,
          audioCodec: video.audioCodec,
          codec: o.codec,
          crf: o.crf,
          preset: o.preset,
          metadata: o.provenance === false ? {} : provenanceTags(),
          xmp,
        })
      : undefined;
  const overlays = new Map<string, Overlay>();
  const batch = o.batch;
  const summary: ConvertSummary = {
    output: target,
    frames: 0,
    faces: 0,
    withoutFaces: 0,
    skipped: 0,
    source: wholeImages ? 'whole-image' : doc ? 'alignments' : 'detector',
    seconds: 0,
    stopped: false,
    warnings: [],
  };
  const unreadable: Skipped[] = [];
  // frames read ahead (for smoothing) and the faces of the frames behind, oldest first
  const ahead: Pending[] = [];
  const behind: TrackedFace[][] = [];

  const outPath = (f: Frame) =>
    target.kind === 'image'
      ? target.path
      : target.kind === 'folder'
        ? join(target.path, imageOutputName(f.key))
        : join(target.path, `${basename(input).replace(/\.[^.]+$/, '')}_${f.key}.png`);

  // the model: here, or in a thread of its own that runs one group's faces while this loop pastes the group before
  // and reads the next (video outputs of face models by default: docs/convert.md)
  const runFaces = (faces: PreparedFace[]): Promise<Tensor[]> =>
    thread
      ? thread.run(faces, settings.decoder)
      : Promise.resolve(timed(o.times, 'model', () => runModel(trained!, faces, settings)));

  /** Starts the first n frames read ahead: their faces are cut, and go through the model in one batch. */
  const startGroup = async (n: number): Promise<Group> => {
    const group = ahead.slice(0, n);
    const timeline = [...behind, ...ahead.map((a) => a.faces)];
    const times = o.times;
    // the output is the frame's own buffer: every face of the group is cut before any is pasted, and a frame
    // translated whole is read in full before it is written
    const jobs: Job[] = [];
    if (wholeImages) {
      for (const p of group)
        await translateImage(p.image, p.image, trained!, { ...settings, resolution: o.resolution });
    }
    for (let j = 0; j < group.length; j++) {
      const p = group[j]!,
        centre = behind.length + j;
      const window = timeline.slice(Math.max(0, centre - radius), centre + radius + 1);
      for (let i = 0; i < p.faces.length; i++) {
        const face = p.faces[i]!;
        if (filter && !filter.keeps(face.identity ?? (await identityOfFace(p.image, face.landmarks)))) continue;
        const landmarks = radius > 0 ? smoothLandmarks(window, Math.min(centre, radius), i, radius) : face.landmarks;
        jobs.push({ frame: j, face: timed(times, 'prepare', () => prepareFace(p.image, landmarks, geometry)) });
      }
    }
    const outputs = runFaces(jobs.map((k) => k.face));
    outputs.catch(() => undefined); // awaited by finishGroup; a failure meanwhile is not unhandled
    for (const p of group) {
      behind.push(p.faces);
      if (behind.length > radius) behind.shift();
    }
    ahead.splice(0, n);
    return { group, jobs, outputs };
  };

  /** Pastes a started group's faces back and writes its frames. */
  const finishGroup = async ({ group, jobs, outputs }: Group) => {
    const times = o.times;
    const ys = thread ? await timedAsync(times, 'model', () => outputs) : await outputs;
    jobs.forEach((k, i) => {
      pasteFace(k.face, ys[i]!, group[k.frame]!.image, settings, times);
      ys[i]!.dispose();
    });
    for (let j = 0; j < group.length; j++) {
      const p = group[j]!,
        out = p.image;
      const swapped = wholeImages ? 1 : jobs.filter((k) => k.frame === j).length;
      summary.faces += swapped;
      if (!swapped) summary.withoutFaces++;
      if (o.label) {
        const key = `${out.width}x${out.height}`;
        if (!overlays.has(key)) overlays.set(key, await renderLabel(o.label, out.width, out.height));
        timed(times, 'label', () => drawOverlay(out, overlays.get(key)!));
      }
      if (writer) await timedAsync(times, 'encode', () => writer.write(out));
      else await writeImage(outPath(p.frame), out, { xmp });
      summary.frames++;
      progress(summary.frames + summary.skipped, total, { faces: summary.faces });
    }
  };

  // one group runs in the model while the one before is pasted and written
  let running: Group | undefined;
  const emitGroup = async (n: number) => {
    const next = await startGroup(n);
    const previous = running;
    running = next;
    if (previous) await finishGroup(previous);
  };

  try {
    let waited = performance.now();
    for await (const frame of frames) {
      o.times?.add('decode', performance.now() - waited);
      if (o.signal?.aborted) break;
      if (!frame.isImage) continue;
      if (target.kind === 'folder' && !o.overwrite && existsSync(outPath(frame))) {
        summary.skipped++;
        continue;
      }
      const image = await timedAsync(o.times, 'read', () => readOrSkip(frame, unreadable));
      if (!image) continue;
      const faces = await timedAsync(o.times, 'faces', () => findFaces(frame, image));
      if (part && frame.index! < part.from) {
        // before the part: only its faces are kept, for the smoothing of the part's first frames
        behind.push(faces);
        if (behind.length > radius) behind.shift();
        continue;
      }
      ahead.push({ frame, image, faces });
      // (frames after a part are read only as the window's end: a group of `batch` stops `radius` before them)
      if (ahead.length >= radius + batch) await emitGroup(batch);
      waited = performance.now();
    }
    summary.stopped = !!o.signal?.aborted;
    const inPart = part ? ahead.filter((a) => a.frame.index! < part.to).length : ahead.length;
    if (!summary.stopped && inPart) await emitGroup(inPart);
    // a group started before a stop is finished: its frames were read, and a folder keeps them
    const last = running;
    running = undefined;
    if (last) await finishGroup(last);
    if (writer) {
      if (summary.stopped) await writer.abort();
      else await writer.finish();
    }
  } catch (e) {
    await writer?.abort();
    throw e;
  }
  if (kind === 'image' && unreadable.length) throw new FaceganError(ErrorCodes.BAD_FILE, unreadable[0]!.reason);
  requireSomeRead(input, unreadable, total);
  warnings.skipped(unreadable, input, total);
  summary.warnings = warnings.list;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
