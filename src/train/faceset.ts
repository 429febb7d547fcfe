/**
 * A folder of aligned faces as extract writes them: PNG crops, each carrying its face record (PNG iTXt
 * `facegan`). Decoded once and held in memory (a 256 px crop is 192 KB; 1000 faces are under 200 MB).
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { decodeImage } from '../media/image.js';
import { readPngText } from '../core/png-text.js';
import { applyAffine } from '../core/geometry/umeyama.js';
import type { EmbeddedFace } from '../core/alignments.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { FaceSource } from './augment.js';

export interface Faceset {
  folder: string;
  files: string[];
  faces: FaceSource[];
  /** The extract coverage of the crops (from their records), when they carry one. */
  coverage?: number;
  /** Crops without a facegan record (trained without landmark masks). */
  withoutRecord: number;
}

const FACE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

/** Reads every face of a folder; refuses an empty or missing folder, crops smaller than `minSide`, mixed crops. */
export async function loadFaceset(folder: string, minSide: number, label = 'faces'): Promise<Faceset> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new FaceganError(ErrorCodes.BAD_FILE, `No folder of ${label} at ${folder}: run facegan extract -i INPUT -o ${folder} first.`);
  }
  const files = readdirSync(folder).filter((f) => FACE_EXTENSIONS.includes(extname(f).toLowerCase())).sort();
  if (!files.length) throw new FaceganError(ErrorCodes.BAD_FILE, `${folder} holds no face images (${label}); run facegan extract into it first.`);
  const faces: FaceSource[] = [];
  const coverages = new Set<number>();
  let withoutRecord = 0;
  for (const file of files) {
    const path = join(folder, file);
    const bytes = readFileSync(path);
    let image;
    try {
      image = await decodeImage(bytes, path);
    } catch (e) {
      throw new FaceganError(ErrorCodes.BAD_FILE, `${(e as Error).message}; remove it from the faces folder.`, { cause: e });
    }
    const { width, height } = image;
    if (width !== height || width < minSide) {
      throw new FaceganError(ErrorCodes.BAD_FILE,
        `${path} is ${width}x${height}; this model needs square faces of at least ${minSide} px: re-extract with facegan extract --size ${Math.max(256, minSide)}.`);
    }
    const record = extname(file).toLowerCase() === '.png' ? readPngText(bytes, 'facegan') : undefined;
    if (!record) {
      withoutRecord++;
      faces.push({ image });
      continue;
    }
    const e = JSON.parse(record) as EmbeddedFace;
    const scale = width / e.crop.size; // the crop may have been resized since extraction
    coverages.add(e.crop.coverage);
    faces.push({ image, landmarks: e.face.landmarks.map((p) => applyAffine(e.crop.matrix, p)).map(([x, y]) => [x * scale, y * scale] as const) });
  }
  if (coverages.size > 1) {
    throw new FaceganError(ErrorCodes.BAD_FILE, `${folder} mixes faces extracted with different --coverage (${[...coverages].join(', ')}); extract them again with one.`);
  }
  return { folder, files, faces, coverage: [...coverages][0], withoutRecord };
}
