/**
 * The dashboard's faces browser: a faces folder's crops with what their own PNG records say (landmarks in crop
 * pixels, blur, pose, size, identity), sortable; and removing bad ones as `facegan alignments remove` does: the crops
 * move to a hidden folder beside them (nothing is deleted), and the alignments file, if given, is rewritten without
 * them after a backup (FILE.bak).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { readCropRecord } from '../faces/crop-file.js';
import { descriptorDistance } from '../faces/identity.js';
import { removeMissingFaces } from '../tools/alignments-tools.js';

export interface FaceCard {
  file: string;
  /** The frame it is from. */
  frame: string;
  /** 68 landmarks in the crop's pixels. */
  landmarks: [number, number][];
  size: number;
  blur: number;
  yaw: number;
  pitch: number;
  /** Box side in the frame, pixels. */
  box: number;
  /** Descriptor distance from the folder's mean face: high for someone else (or a bad crop); -1 without one. */
  identity: number;
}

/** At most this many crops are listed (the folder's first, by name). */
export const MAX_FACES = 2000;

export function listFaces(dir: string): { faces: FaceCard[]; unreadable: string[]; more: boolean } {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FaceganError(ErrorCodes.BAD_FILE, `No faces folder at ${dir}: give a folder facegan extract wrote.`);
  const names = readdirSync(dir)
    .filter((f) => !f.startsWith('.') && f.toLowerCase().endsWith('.png'))
    .sort();
  const faces: (FaceCard & { descriptor?: number[] })[] = [];
  const unreadable: string[] = [];
  for (const file of names.slice(0, MAX_FACES)) {
    let rec: ReturnType<typeof readCropRecord>;
    try {
      rec = readCropRecord(join(dir, file));
    } catch {
      rec = undefined;
    }
    if (!rec) {
      unreadable.push(file);
      continue;
    }
    const [[a, b, c], [d, e, f]] = rec.crop.matrix;
    faces.push({
      file,
      frame: rec.frame.key,
      landmarks: rec.face.landmarks.map(([x, y]) => [a * x + b * y + c, d * x + e * y + f]),
      size: rec.crop.size,
      blur: rec.face.blur,
      yaw: rec.face.pose.yaw,
      pitch: rec.face.pose.pitch,
      box: Math.sqrt(rec.face.box[2] * rec.face.box[3]),
      identity: -1,
      ...(rec.face.identity ? { descriptor: rec.face.identity } : {}),
    });
  }
  const withId = faces.filter((f) => f.descriptor);
  if (withId.length) {
    const mean = withId[0]!.descriptor!.map(
      (_, i) => withId.reduce((s, f) => s + f.descriptor![i]!, 0) / withId.length,
    );
    for (const f of withId) f.identity = descriptorDistance(f.descriptor!, mean);
  }
  return {
    faces: faces.map(({ descriptor: _d, ...card }) => card),
    unreadable,
    more: names.length > MAX_FACES,
  };
}

/**
 * Moves the crops `files` of `dir` into DIR/.removed-TIMESTAMP/, then, with `alignments`, drops their faces from it
 * (after a backup). Returns where the crops went and what the alignments file kept.
 */
export function removeFaces(
  dir: string,
  files: string[],
  alignments?: string,
): { moved: number; to: string; kept?: number; removed?: number; backup?: string } {
  if (!Array.isArray(files) || !files.length || !files.every((f) => typeof f === 'string'))
    throw new FaceganError(ErrorCodes.USAGE, 'Expected a list of crop file names to remove.');
  for (const f of files)
    if (basename(f) !== f || f.startsWith('.') || !existsSync(join(dir, f)))
      throw new FaceganError(ErrorCodes.USAGE, `${f} is not a crop of ${dir}.`);
  const to = join(dir, `.removed-${new Date().toISOString().replace(/[-:.]/g, '')}`);
  mkdirSync(to, { recursive: true });
  for (const f of files) renameSync(join(dir, f), join(to, f));
  if (!alignments) return { moved: files.length, to };
  const r = removeMissingFaces(alignments, dir, true);
  return { moved: files.length, to, kept: r.kept, removed: r.removed, ...(r.backup ? { backup: r.backup } : {}) };
}
