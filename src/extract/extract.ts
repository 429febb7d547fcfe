/**
 * facegan extract: faces from an image, a folder of images or a video into aligned crops and an alignments file.
 * Resumable: the alignments file is saved (atomically) as frames finish, and a re-run skips frames it holds.
 * Inputs are only read.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readCropRecord } from '../faces/crop-file.js';
import { basename, extname, join, resolve } from 'node:path';
import { writePng } from '../media/image.js';
import { inputKind, listFrames, type Frame, type InputKind } from '../media/frames.js';
import type { RgbImage } from '../core/image.js';
import type { FrameIndex } from '../media/video-index.js';
import { defaultAlignmentsPath, readAlignmentsFile } from '../io/alignments-file.js';
import type { Affine } from '../core/geometry/umeyama.js';
import type { Point } from '../core/geometry/meanface.js';
import { byAreaDescending, type DetectedFace, type DetectorId, type FaceDetector } from '../faces/detected.js';
import { createDetector, DETECTORS } from '../faces/detectors.js';
import { DetectorThread } from '../faces/detector-thread.js';
import {
  ALIGNMENTS_SCHEMA_VERSION,
  MAX_FACES_PER_FRAME,
  type Alignments,
  type EmbeddedFace,
  type FaceRecord,
  type FrameRecord,
} from '../core/alignments.js';
import {
  alignmentMatrix,
  cropMatrix,
  faceRegion,
  shiftAffine,
  tensorToImage,
  warpCrop,
  blurScore,
} from '../faces/align.js';
import { writeFileAtomic } from '../io/atomic.js';
import { ErrorCodes, FaceganError, invalid } from '../core/errors.js';
import { checkGiven, defined } from '../core/options.js';
import { progressMeter, type OnProgress } from '../core/progress.js';
import { EXTRACT_DEFAULTS, EXTRACT_SCHEMA } from './options.js';
import { VERSION } from '../version.js';
import { numThreads, setNumThreads, type Tensor } from '../engine/index.js';
import { lockAt, lockFolder } from '../io/lock.js';
import { sameFile } from '../io/paths.js';
import { IdentityFilter, identityOf } from '../faces/identity-filter.js';
import { ScaledReader } from '../faces/scaled-reader.js';
import { warmDescriptor } from '../faces/identity.js';
import { Warnings } from '../core/warnings.js';
import { timed, timedAsync, type StageTimes } from '../core/stage-times.js';

export interface ExtractOptions {
  /** An image file, a folder of images, or a video file. */
  input: string;
  /** Folder for the aligned crops (made if missing). */
  output: string;
  /** Alignments file; default beside the input: photo.jpg -> photo.alignments.json, dir -> dir.alignments.json. */
  alignments?: string;
  /** Side of the square crops in pixels. */
  size?: number;
  /** Share of the crop's side that the mean face (brows to chin, without the jaw line) spans. */
  coverage?: number;
  /** Smallest face kept, as the side of its box in pixels. */
  minSize?: number;
  /** Most faces kept per frame (the largest). */
  maxFaces?: number;
  /**
   * The face detector (faces/detectors.ts): `human`, `ssd` or `both`. Default `auto`: `both` for photos (small and
   * turned faces, tiles for large photos), `human` for video (the fastest, with tracking).
   */
  detector?: DetectorId | 'auto';
  /** Photos over 1024 px: also read in tiles for small faces (ssd and both); see faces/ssd.ts `wantsTiles`. */
  tiles?: 'auto' | 'always' | 'never';
  /** Drop faces whose visibility (0-1) is under this; needs a detector with a mesh (human or both). */
  minVisibility?: number;
  /** Process every n-th image or video frame. */
  everyN?: number;
  /** Video: track faces from frame to frame, detecting afresh every n frames (and whenever a face is lost). */
  redetectEvery?: number;
  /** Skip frames already in the alignments file (resume); on by default. */
  skipExisting?: boolean;
  /**
   * Compute each face's 128-d identity descriptor (on by default; in a video, on frames where detection runs afresh).
   */
  identity?: boolean;
  /** Keep only faces of the person in these images. */
  filter?: string[];
  /** Drop faces of the person in these images. */
  nfilter?: string[];
  /** Descriptor distance under which a face counts as the filter's person. */
  filterThreshold?: number;
  /** Called after each frame. */
  /** Frames done of all, with `figures.faces` so far and the frame in hand as `detail`. */
  onProgress?: OnProgress;
  /** Called with what the run could not do as asked (a video shorter than it states); also in the summary. */
  onWarning?: (message: string) => void;
  /** Stops cleanly after the current frame (the alignments so far are saved). */
  /** Detect faces in a worker thread beside the rest of the work (default true). */
  threads?: boolean;
  /**
   * Faces turned every way (default true): a photo is searched at all four quarter turns, a video frame turned only
   * where no face is found upright.
   */
  rotations?: boolean;
  signal?: AbortSignal;
  /** Where the time goes, per stage of the main thread, and the detector's own thread (bench:extract's profile). */
  times?: StageTimes;
}

export interface ExtractSummary {
  alignments: string;
  output: string;
  frames: number;
  /** Frames processed in this run. */
  processed: number;
  /** Frames skipped because the alignments file already had them. */
  resumed: number;
  faces: number;
  framesWithoutFaces: number;
  /** Faces left out by --filter / --nfilter. */
  filtered: number;
  /** Files that could not be read, with the reason. */
  unreadable: { file: string; reason: string }[];
  /** What the run could not do as asked, and why. */
  warnings: string[];
  stopped: boolean;
}

/**
 * The alignments file is saved after every SAVE_EVERY frames, but no more often than SAVE_COST times as long as a save
 * takes (and a second at least): the whole file is written each time, and an hour of video makes hundreds of MB of it,
 * so saving every 10 frames would cost more than the extraction (quadratic in the frames). An interrupted run loses
 * the frames since the last save, a few seconds' worth.
 */
const SAVE_EVERY = 10;
const SAVE_COST = 20;
/**
 * Frames read and sent to the detector ahead of the one being cut. Its thread keeps working while this one cuts,
 * describes (every redetect frame, ~70 ms) and saves: with one frame ahead it sat idle through each description.
 */
const LOOKAHEAD = 3;
/**
 * A video's frames sent ahead before face-api's descriptor net loads (a synchronous require of about 0.7 s on this
 * thread): the detector's thread works through them meanwhile, where it went idle after three. Sixteen 720p frames;
 * fewer of larger ones, so that the frames held stay within LOADING_PIXELS.
 */
const LOADING_LOOKAHEAD = 16;
const LOADING_PIXELS = LOADING_LOOKAHEAD * 1280 * 720;

/** The alignments file at `path`, or a new empty one; one made with other crop settings is refused. */
export function loadOrCreate(path: string, input: string, kind: InputKind, size: number, coverage: number): Alignments {
  if (existsSync(path)) {
    const doc = readAlignmentsFile(path);
    if (doc.crop.size !== size || doc.crop.coverage !== coverage) {
      throw new FaceganError(
        ErrorCodes.USAGE,
        `${path} was made with --size ${doc.crop.size} --coverage ${doc.crop.coverage}; ` +
          'resume with the same settings, or pass another --alignments file.',
      );
    }
    return doc;
  }
  return {
    schemaVersion: ALIGNMENTS_SCHEMA_VERSION,
    writer: `facegan ${VERSION}`,
    input: { path: resolve(input), kind },
    crop: { size, coverage },
    frames: {},
  };
}

function save(path: string, doc: Alignments): void {
  try {
    writeFileAtomic(path, [JSON.stringify(doc)]);
  } catch (e) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `Cannot write the alignments file ${path} (${(e as Error).message}); pass --alignments with a writable path.`,
      { cause: e },
    );
  }
}

const round = (x: number, places = 1) => Math.round(x * 10 ** places) / 10 ** places;
const degrees = (r: number) => round((r * 180) / Math.PI, 2);

interface FrameWork {
  filter: IdentityFilter;
  /** Compute descriptors on this frame. */
  identity: boolean;
  filtered: number;
  /** Crop files being encoded and written (awaited before the alignments file is saved). */
  writes: Promise<void>[];
  /** Each crop name and the frame key that owns it (from the alignments file, then this run's). */
  owners: Map<string, string>;
  /** The input's path, which tells frames of two inputs with the same names apart. */
  input: string;
}

/** Whether a crop on disk (not in the alignments file) is of this frame of this input, as its record says. */
function sameFrame(path: string, key: string, input: string): boolean {
  try {
    const frame = readCropRecord(path)?.frame;
    return !!frame && frame.key === key && (frame.input ?? input) === input;
  } catch {
    return false; // unreadable: not ours to replace
  }
}

/**
 * The crop file name of a frame's face: STEM_INDEX.png, unless that name belongs to another frame (face.jpg and
 * face.png in one folder, or a second input with the same frame names extracted into the same folder): then
 * STEM_HASH_INDEX.png, with a short hash of the frame's full path. A crop of another frame is never replaced.
 */
function claimCrop(w: FrameWork, outDir: string, stem: string, index: number, key: string): string {
  let name = `${stem}_${index}.png`;
  const owner = w.owners.get(name);
  if (
    owner !== undefined ? owner !== key : existsSync(join(outDir, name)) && !sameFrame(join(outDir, name), key, w.input)
  ) {
    name = `${stem}_${createHash('sha1').update(join(w.input, key)).digest('hex').slice(0, 6)}_${index}.png`;
  }
  w.owners.set(name, key);
  return name;
}

/**
 * A frame read and sent to the detector, whose faces are cut when its turn comes (the next frame is detected
 * meanwhile).
 */
interface Detecting {
  frame: Frame;
  image: RgbImage;
  found: Promise<DetectedFace[]>;
}

async function faceRecords(
  w: FrameWork,
  d: Detecting,
  crops: string,
  outDir: string,
  o: Required<Pick<ExtractOptions, 'size' | 'coverage' | 'minSize' | 'maxFaces'>> &
    Pick<ExtractOptions, 'minVisibility' | 'times'>,
): Promise<FrameRecord> {
  const { frame: f, image } = d;
  const key = f.key;
  const found = (await timedAsync(o.times, 'detect (wait)', () => d.found))
    .filter((f) => Math.min(f.box[2], f.box[3]) >= o.minSize)
    .filter((f) => o.minVisibility === undefined || (f.visibility ?? 0) >= o.minVisibility)
    .sort(byAreaDescending)
    .slice(0, o.maxFaces);
  const frame: FrameRecord = {
    source: f.source,
    ...(f.index !== undefined ? { index: f.index, timestamp: f.timestamp } : {}),
    width: image.width,
    height: image.height,
    faces: [],
  };
  for (const face of found) {
    const landmarks = face.landmarks;
    const alignment = alignmentMatrix(landmarks);
    const matrix = cropMatrix(alignment, o.size, o.coverage);
    // only the region the crop reads is converted to a tensor (the identity chip lies inside it)
    const region = timed(o.times, 'region', () => faceRegion(image, matrix, o.size));
    try {
      const local = shiftAffine(alignment, region.x0, region.y0);
      const identity =
        w.identity || w.filter.active
          ? await timedAsync(o.times, 'identity', () => identityOf(region.tensor, local))
          : undefined;
      if (identity && !w.filter.keeps(identity)) {
        w.filtered++;
        continue;
      }
      const cut = { landmarks, alignment, matrix, local: cropMatrix(local, o.size, o.coverage), source: region.tensor };
      const name = claimCrop(w, outDir, crops, frame.faces.length, key);
      frame.faces.push(await cutFace(face, cut, frame, key, name, outDir, w, o, identity));
    } finally {
      region.tensor.dispose();
    }
  }
  return frame;
}

/**
 * A face's geometry: its landmarks, alignment and crop matrix (frame pixels), and `local`, the crop matrix of `source`
 * (its region).
 */
interface Cut {
  landmarks: Point[];
  alignment: Affine;
  matrix: Affine;
  local: Affine;
  source: Tensor;
}

/** Cuts, records and saves one face as the next of the frame. The PNG is written in the background. */
async function cutFace(
  f: DetectedFace,
  cut: Cut,
  frame: FrameRecord,
  key: string,
  crop: string,
  outDir: string,
  w: FrameWork,
  o: { size: number; coverage: number; times?: StageTimes },
  identity?: number[],
): Promise<FaceRecord> {
  const started = performance.now();
  const cropT = warpCrop(cut.source, cut.local, o.size);
  const record: FaceRecord = {
    box: f.box.map((v) => round(v)) as FaceRecord['box'],
    score: round(f.score, 4),
    landmarks: cut.landmarks.map(([x, y]) => [round(x, 2), round(y, 2)] as const),
    mesh: f.mesh.map(([x, y, z]) => [round(x), round(y), round(z)]),
    alignment: cut.alignment,
    pose: { yaw: degrees(f.angles.yaw), pitch: degrees(f.angles.pitch), roll: degrees(f.angles.roll) },
    blur: round(blurScore(cropT), 2),
    ...(identity ? { identity: identity.map((v) => round(v, 5)) } : {}),
    detector: f.detector,
    ...(f.visibility !== undefined ? { visibility: round(f.visibility, 3) } : {}),
    crop,
  };
  const embedded: EmbeddedFace = {
    schemaVersion: ALIGNMENTS_SCHEMA_VERSION,
    frame: {
      key,
      source: frame.source,
      input: w.input,
      width: frame.width,
      height: frame.height,
      ...(frame.index !== undefined ? { index: frame.index, timestamp: frame.timestamp } : {}),
    },
    faceIndex: frame.faces.length,
    face: record,
    crop: { size: o.size, coverage: o.coverage, matrix: cut.matrix },
  };
  const image = tensorToImage(cropT);
  cropT.dispose();
  o.times?.add('crop', performance.now() - started);
  const write = timed(o.times, 'png', () => writePng(join(outDir, crop), image, { facegan: JSON.stringify(embedded) }));
  write.catch(() => undefined); // reported when awaited; this only keeps it from counting as unhandled meanwhile
  w.writes.push(write);
  if (w.writes.length > 16) await timedAsync(o.times, 'png (wait)', () => w.writes.shift()!);
  return record;
}

/**
 * Finds, aligns and saves every face of the input.
 * @example
 * const summary = await extract({ input: 'photos/', output: 'faces/' });
 * console.log(`${summary.faces} faces in ${summary.frames} images`);
 */
export function extract(options: ExtractOptions): Promise<ExtractSummary> {
  return extractSome(options);
}

/**
 * One task of an extract shared over the queue's workers: a video's frames [from, to), or some files of a folder.
 * Its faces go into the job's faces folder (whose lock the job's coordinator holds; the queue's task lock keeps a
 * task on one worker) and its frames into the task's own alignments file, merged by the coordinator at the end.
 */
export interface ExtractPart {
  /** `index`: the video's frame times, when read already (else read here). */
  frames?: { from: number; to: number; index?: FrameIndex };
  files?: string[];
}

/** Extracts one part of a job (see ExtractPart): without the folder locks, which the job holds. */
export function extractPart(options: ExtractOptions, part: ExtractPart): Promise<ExtractSummary> {
  return extractSome(options, part);
}

/** Refuses --min-visibility with a detector that gives no visibility (no mesh: ssd). */
export function refuseVisibilityWithoutMesh(o: Pick<ExtractOptions, 'minVisibility' | 'detector'>): void {
  if (o.minVisibility !== undefined && o.detector && o.detector !== 'auto' && !DETECTORS[o.detector].meshes)
    throw new FaceganError(
      ErrorCodes.USAGE,
      '--min-visibility needs a detector with a mesh: use --detector both (or human) with it, or leave it out.',
    );
}

/** Refuses a faces folder that is the input (or a link to it): inputs are never touched. */
export function refuseOutputAsInput(input: string, output: string): void {
  if (sameFile(input, output))
    throw new FaceganError(
      ErrorCodes.USAGE,
      'The output folder is the input (or a link to it); choose another -o so that inputs are never touched.',
    );
}

async function extractSome(options: ExtractOptions, part?: ExtractPart): Promise<ExtractSummary> {
  checkGiven(EXTRACT_SCHEMA, options as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const o = { ...EXTRACT_DEFAULTS, skipExisting: true, ...defined(options) } as ExtractOptions &
    typeof EXTRACT_DEFAULTS & { skipExisting: boolean };
  const input = resolve(o.input),
    output = resolve(o.output);
  refuseOutputAsInput(input, output);
  if (!Number.isInteger(o.maxFaces) || o.maxFaces < 1 || o.maxFaces > MAX_FACES_PER_FRAME) {
    throw invalid(`an integer between 1 and ${MAX_FACES_PER_FRAME}`, 'maxFaces', o.maxFaces);
  }
  refuseVisibilityWithoutMesh(o);
  const kind = inputKind(input);
  const warnings = new Warnings(o.onWarning);
  const { total, frames } = partOf(
    listFrames(input, kind, part ? 1 : o.everyN, o.signal, (m) => warnings.add(m), part?.frames),
    o.everyN,
    part,
  );
  if (kind === 'folder' && total === 0) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${input} holds no files: give a folder of images (.jpg, .png, .webp), an image or a video with -i.`,
    );
  }
  const alignmentsPath = resolve(o.alignments ?? defaultAlignmentsPath(input));
  mkdirSync(output, { recursive: true });
  // one writer per faces folder and per alignments file: two extracts into one would drop each other's frames
  const releaseOutput = part ? () => undefined : lockFolder(output, 'The faces folder');
  let releaseAlignments: (() => void) | undefined;
  try {
    if (!part) releaseAlignments = lockAt(`${alignmentsPath}.lock`, `The alignments file ${alignmentsPath}`);
    return { ...(await extractLocked(o, input, output, kind, alignmentsPath, total, frames)), warnings: warnings.list };
  } finally {
    releaseAlignments?.();
    releaseOutput();
  }
}

/** A part's frames of the listing: every n-th frame of its range (by index), or its files. */
function partOf(
  listed: ReturnType<typeof listFrames>,
  everyN: number,
  part?: ExtractPart,
): { total: number; frames: AsyncIterable<Frame> } {
  if (!part) return listed;
  const files = part.files && new Set(part.files);
  const keep = files ? (f: Frame) => files.has(f.key) : (f: Frame) => f.index === undefined || f.index % everyN === 0;
  const total = part.files
    ? part.files.length
    : part.frames
      ? Math.ceil(part.frames.to / everyN) - Math.ceil(part.frames.from / everyN)
      : listed.total;
  return {
    total,
    frames: (async function* () {
      for await (const f of listed.frames) if (keep(f)) yield f;
    })(),
  };
}

async function extractLocked(
  o: ExtractOptions & typeof EXTRACT_DEFAULTS & { skipExisting: boolean },
  input: string,
  output: string,
  kind: ReturnType<typeof inputKind>,
  alignmentsPath: string,
  total: number,
  frames: ReturnType<typeof listFrames>['frames'],
): Promise<ExtractSummary> {
  const doc = loadOrCreate(alignmentsPath, input, kind, o.size, o.coverage);
  const detectorOptions = {
    detector: !o.detector || o.detector === 'auto' ? (kind === 'video' ? 'human' : 'both') : o.detector,
    visibility: o.minVisibility !== undefined,
    maxFaces: o.maxFaces,
    video: kind === 'video',
    redetectEvery: o.redetectEvery,
    rotations: o.rotations,
    tiles: o.tiles,
  } as const;
  // detection in its own thread runs beside the cutting and saving of the frame before (--no-threads: one thread)
  const detector: FaceDetector & { close?: () => Promise<void> } =
    o.threads === false ? createDetector(detectorOptions) : new DetectorThread(detectorOptions);
  // a video's frames reach Human scaled down while their faces are large (faces/scaled-reader.ts)
  const frameDetector =
    kind === 'video' && detectorOptions.detector === 'human' ? new ScaledReader(detector) : detector;
  // frames sent ahead to the detector's thread (in one thread, the detector reads one frame at a time)
  const lookahead = o.threads === false ? 1 : LOOKAHEAD;
  const loading = kind === 'video' && o.threads !== false;
  const loadingLookahead = (image: RgbImage) =>
    loading
      ? Math.max(lookahead, Math.min(LOADING_LOOKAHEAD, Math.floor(LOADING_PIXELS / (image.width * image.height))))
      : lookahead;
  // libtorch's small crop ops gain nothing from a second thread, and its spinning threads slow the detector's:
  // leave the detector a core while extract runs
  const torchThreads = numThreads();
  if (o.threads !== false) setNumThreads(Math.max(1, torchThreads - 1));
  try {
    const base = kind === 'folder' ? '' : `${basename(input, extname(input))}_`;
    const summary: ExtractSummary = {
      alignments: alignmentsPath,
      output,
      frames: 0,
      processed: 0,
      resumed: 0,
      faces: 0,
      framesWithoutFaces: 0,
      filtered: 0,
      unreadable: [],
      warnings: [],
      stopped: false,
    };
    const filter = await IdentityFilter.fromImages(detector, o.filter ?? [], o.nfilter ?? [], o.filterThreshold);
    const owners = new Map(
      Object.entries(doc.frames).flatMap(([k, fr]) => fr.faces.map((f) => [f.crop, k] as [string, string])),
    );
    const work: FrameWork = { filter, identity: false, filtered: 0, writes: [], owners, input };
    // the alignments file only ever lists crops already on disk
    let lastSave = performance.now(),
      saveMs = 0;
    const saveAll = async () => {
      await timedAsync(o.times, 'png (wait)', () => Promise.all(work.writes.splice(0)));
      const t = performance.now();
      timed(o.times, 'alignments', () => save(alignmentsPath, doc));
      lastSave = performance.now();
      saveMs = lastSave - t;
    };
    /** Whether this faces folder still holds any crop the alignments file lists (it was not emptied or replaced). */
    const holds = [...owners.keys()].some((crop) => existsSync(join(output, crop)));
    let unsaved = 0;
    let n = 0;
    let describing = false;
    const progress = progressMeter('extract', 'frames', o.onProgress);
    /** Frames sent to the detector and not yet cut, oldest first. */
    const detecting: Detecting[] = [];
    /** Cuts and records the faces of the oldest frame whose detection is under way, if any. */
    const finishAll = async () => {
      while (detecting.length) await finishOldest();
    };
    const finishOldest = async () => {
      const d = detecting.shift();
      if (!d) return;
      // a photo's (or a folder's) crops are STEM_INDEX.png, as faceswap names them; a video's STEM_FRAME_INDEX.png
      const crops = kind === 'video' ? `${base}${d.frame.key}` : basename(d.frame.key, extname(d.frame.key));
      work.identity = (o.identity ?? true) && (d.frame.index === undefined || d.frame.index % o.redetectEvery === 0);
      const record = await faceRecords(work, d, crops, output, o);
      doc.frames[d.frame.key] = { ...record, output };
      summary.processed++;
      summary.faces += record.faces.length;
      if (!record.faces.length) summary.framesWithoutFaces++;
      if (++unsaved >= SAVE_EVERY && performance.now() - lastSave >= Math.max(1000, SAVE_COST * saveMs)) {
        await saveAll();
        unsaved = 0;
      }
    };
    let waited = performance.now();
    for await (const frame of frames) {
      o.times?.add('decode', performance.now() - waited);
      if (o.signal?.aborted) break;
      summary.frames++;
      // resume is keyed on the output too: a frame the alignments file holds for another faces folder (a new -o),
      // or for this one emptied, is extracted again; one of this folder is kept as it is, even when its crops were
      // deleted by hand (a clean-up)
      const held = doc.frames[frame.key];
      const here = (f: FaceRecord) => !!f.crop && existsSync(join(output, f.crop));
      const ours =
        held &&
        (held.output !== undefined && holds
          ? sameFile(held.output, output)
          : !held.faces.length || held.faces.some(here));
      const known = ours ? held : undefined;
      if (frame.problem) {
        await finishAll();
        summary.unreadable.push({ file: frame.key, reason: frame.problem });
      } else if (!(known && o.skipExisting) && frame.isImage) {
        // read it and start its detection, then cut the faces of the frame before it meanwhile
        let image: RgbImage | undefined;
        try {
          image = await timedAsync(o.times, 'read', () => frame.image());
        } catch (e) {
          if (!(e instanceof FaceganError) || e.code !== ErrorCodes.BAD_FILE) throw e;
          await finishAll();
          summary.unreadable.push({ file: frame.key, reason: e.message });
        }
        if (image) {
          const next: Detecting = { frame, image, found: frameDetector.detect(image) };
          next.found.catch(() => undefined); // awaited in its turn
          detecting.push(next);
          // the identity net loads (a synchronous require) while the first frames are being detected
          const ahead = loadingLookahead(image);
          if (!describing && (detecting.length >= ahead || !(o.identity ?? true))) {
            if (o.identity ?? true) warmDescriptor();
            describing = true;
          }
          while (detecting.length > (describing ? lookahead : ahead)) await finishOldest();
        }
      } else {
        await finishAll();
      }
      if (known && o.skipExisting) {
        summary.resumed++;
        summary.faces += known.faces.length;
        if (!known.faces.length) summary.framesWithoutFaces++;
      } else if (!frame.isImage && !frame.problem) {
        summary.unreadable.push({ file: frame.key, reason: 'not an image file' });
      }
      progress(++n, Math.max(total, n), { faces: summary.faces }, frame.key);
      waited = performance.now();
    }
    await finishAll();
    // the last frame's faces are counted only now: the bar ends on the summary's figures
    if (n) progress(n, Math.max(total, n), { faces: summary.faces });
    summary.stopped = o.signal?.aborted ?? false;
    summary.filtered = work.filtered;
    await saveAll();
    // the detector's own thread, beside the stages above (they include the wait for it)
    if (detector instanceof DetectorThread) o.times?.add('detector (own thread)', detector.busyMs);
    return summary;
  } finally {
    await detector.close?.();
    setNumThreads(torchThreads);
  }
}
