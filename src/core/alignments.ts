/**
 * The alignments file: the one contract between extract, train and convert. JSON, with `schemaVersion`; older
 * versions are upgraded on load by the ordered MIGRATIONS (MIGRATIONS[i] takes version i+1 to i+2). The same
 * per-face record is embedded in every extracted face (PNG iTXt chunk `facegan`). Documented in docs/alignments.md.
 */
import type { Affine } from './geometry/umeyama.js';
import type { Point } from './geometry/meanface.js';
import { z } from 'zod';
import { ErrorCodes, FaceganError } from './errors.js';
import { checked, count, finite } from './validate.js';
import { applyAffine } from './geometry/umeyama.js';

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
  /** The model that found the face and gave its landmarks: `human` (with a mesh) or `ssd` (no mesh). */
  detector?: string;
  /** How visible the face is, 0-1 (two landmark models' agreement), where measured (`--detector both`). */
  visibility?: number;
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
  /** The faces folder its crops were written to (absolute): a re-run into another folder extracts it again. */
  output?: string;
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
  frame: {
    key: string;
    source: string;
    width: number;
    height: number;
    index?: number;
    timestamp?: number;
    input?: string;
  };
  faceIndex: number;
  face: FaceRecord;
  crop: { size: number; coverage: number; matrix: Affine };
}

/** Frame keys of a video: the frame index, zero-padded so that keys sort in frame order. */
export const videoFrameKey = (index: number): string => String(index).padStart(6, '0');

type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Upgrades, in order: MIGRATIONS[i] turns schema version i+1 into i+2. None yet: version 1 is the first. */
export const MIGRATIONS: readonly Migration[] = [];

/** The most faces one frame may hold: extract keeps at most this many, and files with more are refused. */
export const MAX_FACES_PER_FRAME = 256;

/** Whether `list` is an array of points of `dim` finite numbers. */
const isPoint = (p: unknown, dim: number) => Array.isArray(p) && p.length === dim && p.every((v) => Number.isFinite(v));
const isPoints = (list: unknown, dim: number) => Array.isArray(list) && list.every((p) => isPoint(p, dim));

/**
 * A list of points of `dim` finite numbers, checked in one loop (a mesh has 468 points per face, and a long video
 * tens of thousands of faces: one schema per point would take seconds to check).
 */
function points<D extends 2 | 3>(dim: D, length?: number) {
  const what = dim === 2 ? '[x, y]' : '[x, y, z]';
  return z.array(z.unknown()).superRefine((list, ctx) => {
    if (length !== undefined && list.length !== length) {
      ctx.addIssue({ code: 'custom', message: `expected ${length} points (it holds ${list.length})` });
      return;
    }
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (!isPoint(p, dim)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected ${what} of finite numbers (it holds ${String(JSON.stringify(p)).slice(0, 60)})`,
          path: [i],
        });
        return;
      }
    }
  }) as unknown as z.ZodType<(D extends 2 ? [number, number] : [number, number, number])[]>;
}
const affineRow = z.tuple([finite, finite, finite]);
const affine = z.tuple([affineRow, affineRow]);
const side = z.number().int().positive();

/** Schemas of the records; unknown fields are kept (a later facegan's, or another tool's). */
export const FACE_RECORD_SCHEMA = z.looseObject({
  box: z.tuple([finite, finite, finite.min(0), finite.min(0)]),
  score: finite,
  landmarks: points(2, 68),
  mesh: points(3).refine((m) => m.length <= 1000, 'expected at most 1000 mesh points'),
  alignment: affine,
  pose: z.looseObject({ yaw: finite, pitch: finite, roll: finite }),
  blur: finite,
  identity: z.array(finite).length(128, 'expected a 128-number descriptor').optional(),
  detector: z.string().min(1).optional(),
  visibility: finite.min(0).max(1).optional(),
  crop: z.string().min(1).optional(),
});

/**
 * Landmarks that cannot be a face: further than a frame's size outside it, or all within 2 pixels (a point). Such
 * records come from hand edits or other tools, and would train or paste garbage.
 */
function checkLandmarks(
  points: readonly (readonly number[])[],
  width: number,
  height: number,
  min: number,
): string | undefined {
  const xs = points.map((p) => p[0]!),
    ys = points.map((p) => p[1]!);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (x0 < -width || x1 > 2 * width || y0 < -height || y1 > 2 * height) {
    return (
      `landmarks reach (${x0.toFixed(0)}, ${y0.toFixed(0)})-(${x1.toFixed(0)}, ${y1.toFixed(0)}), ` +
      `far outside the ${width}x${height} image`
    );
  }
  if (x1 - x0 < min || y1 - y0 < min)
    return `landmarks span ${(x1 - x0).toFixed(1)}x${(y1 - y0).toFixed(1)} px: not a face`;
  return undefined;
}

export const FRAME_RECORD_SCHEMA = z
  .looseObject({
    source: z.string(),
    index: count.optional(),
    timestamp: finite.optional(),
    width: side,
    height: side,
    faces: z
      .array(FACE_RECORD_SCHEMA)
      .max(MAX_FACES_PER_FRAME, `expected at most ${MAX_FACES_PER_FRAME} faces in a frame`),
    output: z.string().optional(),
  })
  .superRefine((f, ctx) => {
    f.faces.forEach((face, i) => {
      if (!isPoints(face?.landmarks, 2)) return; // reported by the field's own check
      const why = checkLandmarks(face.landmarks, f.width, f.height, 2);
      if (why) ctx.addIssue({ code: 'custom', message: why, path: ['faces', i, 'landmarks'] });
    });
  });

export const ALIGNMENTS_SCHEMA = z.looseObject({
  schemaVersion: z.literal(ALIGNMENTS_SCHEMA_VERSION),
  writer: z.string(),
  input: z.looseObject({ path: z.string(), kind: z.enum(['image', 'folder', 'video']) }),
  crop: z.looseObject({ size: side, coverage: finite.gt(0).max(1) }),
  frames: z.record(z.string(), FRAME_RECORD_SCHEMA),
});

/** The record embedded in a crop; its landmarks, taken into the crop, must lie about the crop's middle. */
export const EMBEDDED_FACE_SCHEMA = z
  .looseObject({
    schemaVersion: z.number().int().min(1).max(ALIGNMENTS_SCHEMA_VERSION),
    frame: z.looseObject({
      key: z.string(),
      source: z.string(),
      width: side,
      height: side,
      index: count.optional(),
      timestamp: finite.optional(),
      input: z.string().optional(),
    }),
    faceIndex: count,
    face: FACE_RECORD_SCHEMA,
    crop: z.looseObject({ size: side, coverage: finite.gt(0).max(1), matrix: affine }),
  })
  .superRefine((r, ctx) => {
    if (!isPoints(r.face?.landmarks, 2) || !isPoints(r.crop?.matrix, 3)) return; // reported by the fields' checks
    const inCrop = r.face.landmarks.map((p) => applyAffine(r.crop.matrix, p));
    const why = checkLandmarks(inCrop, r.crop.size, r.crop.size, r.crop.size * r.crop.coverage * 0.2);
    if (why) ctx.addIssue({ code: 'custom', message: `${why} (in crop pixels)`, path: ['face', 'landmarks'] });
  });

const bad = (source: string, why: string) =>
  new FaceganError(
    ErrorCodes.BAD_FILE,
    `${source} is not a facegan alignments file: ${why}. Re-run facegan extract to make one.`,
  );

/** Validates and upgrades a parsed alignments object. */
export function parseAlignments(
  raw: unknown,
  source = 'the alignments file',
  migrations: readonly Migration[] = MIGRATIONS,
): Alignments {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(source, 'it is not a JSON object');
  let doc = raw as Record<string, unknown>;
  const version = doc.schemaVersion;
  const latest = migrations.length + 1;
  if (!Number.isInteger(version) || (version as number) < 1)
    throw bad(source, `schemaVersion is ${JSON.stringify(version)}`);
  if ((version as number) > latest) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${source} has schemaVersion ${version}, newer than this facegan reads (${latest}); update facegan.`,
    );
  }
  for (let v = version as number; v < latest; v++) doc = { ...migrations[v - 1]!(doc), schemaVersion: v + 1 };
  const schema =
    migrations === MIGRATIONS ? ALIGNMENTS_SCHEMA : ALIGNMENTS_SCHEMA.extend({ schemaVersion: z.literal(latest) });
  return checked(
    schema,
    doc,
    source,
    'fix or remove that entry, or re-run facegan extract to make the file again.',
  ) as Alignments;
}

/** Validates a crop's embedded record (parsed from its JSON). */
export function parseEmbeddedFace(raw: unknown, source: string): EmbeddedFace {
  return checked(
    EMBEDDED_FACE_SCHEMA,
    raw,
    source,
    'extract the face again, or remove the file from the folder.',
  ) as EmbeddedFace;
}
