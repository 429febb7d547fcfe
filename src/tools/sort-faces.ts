/**
 * facegan faces sort: orders a folder of extracted faces by a key, so that the faces to delete (someone else,
 * blurred, turned away, tiny) end up together. The sorted faces are copied into another folder with a rank in
 * front of each name (bytes unchanged, records kept); the input folder is never touched.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { faceFileNames, readFaceCropOrSkip, requireSomeRead } from '../faces/crop-file.js';
import type { Skipped } from '../core/warnings.js';
import { descriptorDistance } from '../faces/identity.js';
import { identityOfFace } from '../faces/identity-filter.js';

export const SORT_KEYS = {
  identity:
    "most typical of the folder first: distance of each face's descriptor to the folder's mean (other people last)",
  blur: 'sharpest first (variance of the Laplacian)',
  yaw: 'turned left to turned right',
  size: 'largest face in its frame first',
} as const;
export type SortKey = keyof typeof SORT_KEYS;

export interface SortResult {
  output: string;
  /** File names in their new order, with the key's value (undefined: the face carries no record for it). */
  order: { file: string; value?: number }[];
  /** Files that could not be read: left out of the order and not copied. */
  skipped: Skipped[];
}

/**
 * @example
 * const { order } = await sortFaces('faces_a/', 'faces_a_sorted/', 'identity');
 * console.log(order.at(-1)); // the face least like the others
 */
export async function sortFaces(input: string, output: string, by: SortKey): Promise<SortResult> {
  const dir = resolve(input),
    out = resolve(output);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FaceganError(ErrorCodes.BAD_FILE, `No faces folder at ${input}: give the folder facegan extract wrote.`);
  if (!(by in SORT_KEYS))
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Expected --by one of ${Object.keys(SORT_KEYS).join(', ')}, but received ${by}.`,
    );
  if (out === dir)
    throw new FaceganError(
      ErrorCodes.USAGE,
      'The output folder is the input folder: sorting copies the faces into another folder; give another -o.',
    );
  if (existsSync(out) && readdirSync(out).length)
    throw new FaceganError(ErrorCodes.USAGE, `${output} is not empty; give a new or empty folder with -o.`);
  const files = faceFileNames(dir);
  if (!files.length)
    throw new FaceganError(ErrorCodes.BAD_FILE, `${input} holds no face images; run facegan extract into it first.`);

  const records = [],
    skipped: Skipped[] = [];
  for (const file of files) {
    const crop = await readFaceCropOrSkip(join(dir, file), skipped);
    if (!crop) continue;
    // faces extracted with --no-identity: measure the descriptor on the crop, from its landmarks
    const identity =
      by !== 'identity'
        ? undefined
        : crop.record?.face.identity?.length
          ? crop.record.face.identity
          : crop.landmarks
            ? await identityOfFace(crop.image, crop.landmarks)
            : undefined;
    records.push({ file, record: crop.record, identity });
  }
  requireSomeRead(dir, skipped, files.length);
  let values: (number | undefined)[];
  if (by === 'identity') {
    const ds = records.map((r) => r.identity);
    const known = ds.filter((d): d is number[] => !!d?.length);
    if (!known.length)
      throw new FaceganError(
        ErrorCodes.BAD_FILE,
        `The faces in ${input} carry no facegan records, so there is nothing to sort by identity; ` +
          'give a folder facegan extract wrote.',
      );
    const mean = known[0]!.map((_, i) => known.reduce((s, d) => s + d[i]!, 0) / known.length);
    values = ds.map((d) => (d?.length ? descriptorDistance(d, mean) : undefined));
  } else {
    values = records.map(({ record }) =>
      !record
        ? undefined
        : by === 'blur'
          ? -record.face.blur
          : by === 'yaw'
            ? record.face.pose.yaw
            : -(record.face.box[2] * record.face.box[3]),
    );
  }
  // faces without the value go last, in name order
  const order = records
    .map((r, i) => ({ file: r.file, value: values[i] }))
    .sort(
      (a, b) =>
        (a.value === undefined ? 1 : 0) - (b.value === undefined ? 1 : 0) ||
        (a.value ?? 0) - (b.value ?? 0) ||
        a.file.localeCompare(b.file),
    );
  mkdirSync(out, { recursive: true });
  const digits = String(order.length).length;
  order.forEach((o, i) =>
    copyFileSync(join(dir, o.file), join(out, `${String(i + 1).padStart(digits, '0')}_${o.file}`)),
  );
  const shown = order.map((o) => ({
    file: o.file,
    value: o.value === undefined ? undefined : by === 'blur' || by === 'size' ? -o.value : o.value,
  }));
  return { output: out, order: shown, skipped };
}
