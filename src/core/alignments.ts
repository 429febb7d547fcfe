/**
 * The alignments file: the one contract between extract, train and convert. JSON, with `schemaVersion`; older
 * versions are upgraded on load by the ordered MIGRATIONS (MIGRATIONS[i] takes version i+1 to i+2). The same
 * per-face record is embedded in every extracted face (PNG iTXt chunk `facegan`). Documented in docs/alignments.md.
 */
import type { Affine } from './geometry/umeyama.js';
import type { Point } from './geometry/meanface.js';
import { ErrorCodes, FaceganError } from './errors.js';

export const ALIGNMENTS_SCHEMA_VERSION = 1;

export interface FaceRecord {
  /** [x, y, width, height] in frame pixels. */
  box: [number, number, number, number];
  /** Detector confidence, 0-1. */
  score: number;
  /** 68 landmarks [x, y] in frame pixels (dlib/iBUG order). */
  landmarks: Point[];
  /** 468-point mesh [x, y, z] in frame pixels, rounded to 0.1 px. */
  mesh: [number, number, number][];
  /** Frame pixels -> mean-face units (faceswap's alignment). */
  alignment: Affine;
  /** Head pose in degrees. */
  pose: { yaw: number; pitch: number; roll: number };
  /** Sharpness of the aligned crop (variance of the Laplacian; higher is sharper). */
  blur: number;
  /** 128-d identity descriptor (face-api), when computed. */
  identity?: number[];
  /** File name of the aligned crop in the faces folder. */
  crop?: string;
}

export interface FrameRecord {
  /** Image file name, or the video's frame index as a string. */
  source: string;
  /** Frame index in a video. */
  index?: number;
  /** Presentation time in seconds, in a video. */
  timestamp?: number;
  width: number;
  height: number;
  /** Faces found (possibly none: a frame without a face is recorded, not an error). */
  faces: FaceRecord[];
}

export interface Alignments {
  schemaVersion: number;
  /** facegan version that wrote it. */
  writer: string;
  /** What was extracted: the input path and its kind. */
  input: { path: string; kind: 'image' | 'folder' | 'video' };
  /** Crop settings of the extracted faces. */
  crop: { size: number; coverage: number };
  /** Frames by key (file name, or zero-padded frame index), in processing order. */
  frames: Record<string, FrameRecord>;
}

/** What each extracted face carries in its PNG: enough to train without the alignments file. */
export interface EmbeddedFace {
  schemaVersion: number;
  /** `input`: the path of the input the frame is from (crops of two inputs with the same frame names differ by it). */
  frame: { key: string; source: string; width: number; height: number; index?: number; timestamp?: number; input?: string };
  faceIndex: number;
  face: FaceRecord;
  crop: { size: number; coverage: number; matrix: Affine };
}

/** Frame keys of a video: the frame index, zero-padded so that keys sort in frame order. */
export const videoFrameKey = (index: number): string => String(index).padStart(6, '0');

type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Upgrades, in order: MIGRATIONS[i] turns schema version i+1 into i+2. None yet: version 1 is the first. */
export const MIGRATIONS: readonly Migration[] = [];

const bad = (source: string, why: string) =>
  new FaceganError(ErrorCodes.BAD_FILE, `${source} is not a facegan alignments file: ${why}. Re-run facegan extract to make one.`);

/** Validates and upgrades a parsed alignments object. */
export function parseAlignments(raw: unknown, source = 'the alignments file', migrations: readonly Migration[] = MIGRATIONS): Alignments {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(source, 'it is not a JSON object');
  let doc = raw as Record<string, unknown>;
  const version = doc.schemaVersion;
  const latest = migrations.length + 1;
  if (!Number.isInteger(version) || (version as number) < 1) throw bad(source, `schemaVersion is ${JSON.stringify(version)}`);
  if ((version as number) > latest) {
    throw new FaceganError(ErrorCodes.BAD_FILE,
      `${source} has schemaVersion ${version}, newer than this facegan reads (${latest}); update facegan.`);
  }
  for (let v = version as number; v < latest; v++) doc = { ...migrations[v - 1]!(doc), schemaVersion: v + 1 };
  const frames = doc.frames;
  if (!frames || typeof frames !== 'object') throw bad(source, 'it has no frames');
  for (const [key, f] of Object.entries(frames as Record<string, FrameRecord>)) {
    if (!f || !Array.isArray(f.faces) || typeof f.width !== 'number') throw bad(source, `frame ${key} lacks faces or size`);
    for (const face of f.faces) {
      if (!Array.isArray(face.landmarks) || face.landmarks.length !== 68 || !Array.isArray(face.alignment)) throw bad(source, `a face of frame ${key} lacks its 68 landmarks or alignment`);
    }
  }
  return doc as unknown as Alignments;
}
