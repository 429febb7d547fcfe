/**
 * One aligned face as extract writes it: a PNG crop carrying its face record (PNG iTXt `facegan`), from which the
 * landmarks in crop pixels follow. Crops without a record (another tool's, or a JPEG) are faces all the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { decodeImage } from '../media/image.js';
import { checkRegularFile } from '../io/paths.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { readPngText } from '../core/png-text.js';
import { applyAffine } from '../core/geometry/umeyama.js';
import { parseEmbeddedFace, type EmbeddedFace } from '../core/alignments.js';
import { orSkip, type Skipped } from '../core/warnings.js';
import type { Point } from '../core/geometry/meanface.js';
import type { RgbImage } from '../core/image.js';

export const FACE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

/** The face images of a folder (by extension), sorted by name. */
export const faceFileNames = (folder: string): string[] =>
  readdirSync(folder)
    .filter((f) => FACE_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort();

export interface FaceCrop {
  image: RgbImage;
  /** The record extract embedded, when there is one. */
  record?: EmbeddedFace;
  /** The 68 landmarks in this crop's pixels (when there is a record). */
  landmarks?: Point[];
}

/** The record embedded in a crop's bytes (PNG iTXt `facegan`), checked; undefined when it carries none. */
function cropRecord(bytes: Buffer, path: string): EmbeddedFace | undefined {
  // a JPEG saved as .png has no PNG chunks: a face without a record (its pixels are read all the same)
  const isPng = extname(path).toLowerCase() === '.png' && bytes.subarray(1, 4).toString('latin1') === 'PNG';
  const text = isPng ? readPngText(bytes, 'facegan') : undefined;
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${path} carries a facegan record that is not JSON (${(e as Error).message}): extract it again.`,
      { cause: e },
    );
  }
  return parseEmbeddedFace(raw, `The facegan record in ${path}`);
}

/** The record of a crop file without decoding its pixels (undefined when it has none). */
export function readCropRecord(path: string): EmbeddedFace | undefined {
  checkRegularFile(path);
  return cropRecord(readBytes(path), path);
}

/** A file's bytes; a file that cannot be read (no permission, an I/O error) is a BAD_FILE error naming it. */
function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { cause: e },
    );
  }
}

/** Reads a face crop and its record; an unreadable file is a BAD_FILE error naming it. */
export async function readFaceCrop(path: string): Promise<FaceCrop> {
  checkRegularFile(path);
  const bytes = readBytes(path);
  const image = await decodeImage(bytes, path);
  const record = cropRecord(bytes, path);
  if (!record) return { image };
  const scale = image.width / record.crop.size; // the crop may have been resized since extraction
  return {
    image,
    record,
    landmarks: record.face.landmarks
      .map((p) => applyAffine(record.crop.matrix, p))
      .map(([x, y]) => [x * scale, y * scale] as const),
  };
}

/**
 * Reads a crop like readFaceCrop, but a file that cannot be read (broken, not an image, a device, a bad record) is
 * added to `skipped` with the reason and gives undefined: one bad file among many does not end the run.
 */
export function readFaceCropOrSkip(path: string, skipped: Skipped[]): Promise<FaceCrop | undefined> {
  return orSkip(
    path,
    skipped,
    () => readFaceCrop(path),
    (message) => {
      // the reason without its advice (the warning gives it once for all), always naming the file
      const reason = message.replace(/^The facegan record in /, '').split(/; |: extract it again/)[0]!;
      return reason.includes(path) ? reason : `${path}: ${reason}`;
    },
  );
}

/** Refuses a folder none of whose files could be read, naming the first reason. */
export function requireSomeRead(folder: string, skipped: readonly Skipped[], total: number): void {
  if (total && skipped.length === total) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `None of the ${total} files in ${folder} could be read; the first: ${skipped[0]!.reason}.`,
    );
  }
}
