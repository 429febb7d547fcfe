/**
 * CycleGAN's data: two folders of images, decoded once at a load size a little over the model's (the paper's
 * 286 for 256) and held in memory. A batch is a random crop and a random flip of each image, a pure function of
 * (seed, side, iteration) like the pair models' batches, so that a resumed run continues the exact sequence.
 * Extracted face crops are recognised by their records: the model sees the central `coverage` share of each, as
 * the pair models do; other images are used whole.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import { IMAGE_EXTENSIONS } from '../../media/image.js';
import { readFaceCropOrSkip, requireSomeRead, type FaceCrop } from '../../faces/crop-file.js';
import type { Skipped } from '../../core/warnings.js';
import { batchFaces, SIDES, type Side } from '../batches.js';

export interface ImageSet {
  folder: string;
  /** Planar [3, L, L] float RGB in 0-1, one per image. */
  images: Float32Array[];
  /** Side of the loaded images. */
  loadSize: number;
  trainedOn: 'faces' | 'images';
  /** Faces: the extract coverage of the crops. */
  extractCoverage?: number;
  /** Files that could not be read, left out, of `total`. */
  skipped: Skipped[];
  total: number;
}

const planarOf = (rgb: Uint8Array | Buffer, side: number): Float32Array => {
  const plane = side * side,
    out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = rgb[p * 3 + c]! / 255;
  return out;
};

/** Reads a folder of images (face crops or plain images, not mixed) at `loadSize`. */
/**
 * One image as the image families train on it, planar [3, L, L] in 0-1: a face crop's central `coverage` share, or
 * a whole image, resized to loadSize.
 */
export async function trainingImage(crop: FaceCrop, loadSize: number, coverage: number): Promise<Float32Array> {
  const { width, height, data } = crop.image;
  let region = { left: 0, top: 0, width, height };
  if (crop.record) {
    const side = Math.round(Math.min(width, height) * coverage);
    region = { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
  }
  const rgb = await sharp(data, { raw: { width, height, channels: 3 } })
    .extract(region)
    .resize(loadSize, loadSize, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return planarOf(rgb, loadSize);
}

export async function loadImageSet(
  folder: string,
  loadSize: number,
  coverage: number,
  label: string,
): Promise<ImageSet> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No folder of ${label} at ${folder}: give a folder of images (or of faces from facegan extract).`,
    );
  }
  const files = readdirSync(folder)
    .filter((f) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase()))
    .sort();
  if (!files.length) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${folder} holds no images (${label}): expected .png, .jpg or .webp files (${IMAGE_EXTENSIONS.join(' ')}).`,
    );
  }
  const images: Float32Array[] = [],
    skipped: Skipped[] = [];
  const kinds = new Set<'faces' | 'images'>(),
    coverages = new Set<number>();
  for (const file of files) {
    const crop = await readFaceCropOrSkip(join(folder, file), skipped);
    if (!crop) continue;
    if (crop.record) coverages.add(crop.record.crop.coverage);
    kinds.add(crop.record ? 'faces' : 'images');
    images.push(await trainingImage(crop, loadSize, coverage));
  }
  requireSomeRead(folder, skipped, files.length);
  if (kinds.size > 1) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${folder} mixes faces from facegan extract with other images; train on one kind per folder.`,
    );
  }
  if (coverages.size > 1) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${folder} mixes faces extracted with different --coverage (${[...coverages].join(', ')}); ` +
        'extract them again with one.',
    );
  }
  return {
    folder,
    images,
    loadSize,
    trainedOn: [...kinds][0]!,
    extractCoverage: [...coverages][0],
    skipped,
    total: files.length,
  };
}

export interface ImageBatch {
  /** [N, 3, S, S] planar float RGB in 0-1. */
  a: Float32Array;
  b: Float32Array;
  n: number;
}

/** Crops an S x S window at (x0, y0) of a planar image of side L, mirrored when asked. */
function cropInto(
  out: Float32Array,
  at: number,
  img: Float32Array,
  L: number,
  S: number,
  x0: number,
  y0: number,
  flip: boolean,
): void {
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < S; y++) {
      const src = c * L * L + (y0 + y) * L + x0,
        dst = at + c * S * S + y * S;
      if (!flip) out.set(img.subarray(src, src + S), dst);
      else for (let x = 0; x < S; x++) out[dst + x] = img[src + S - 1 - x]!;
    }
  }
}

/** One side's batch at an iteration: seeded order, random crop and flip per image. */
export function imageBatch(
  set: ImageSet,
  side: Side,
  iteration: number,
  batchSize: number,
  seed: number,
  size: number,
): Float32Array {
  const idx = batchFaces(set.images.length, batchSize, seed, side, iteration);
  const out = new Float32Array(idx.length * 3 * size * size),
    L = set.loadSize;
  idx.forEach((i, j) => {
    const r = new Random(seed, SIDES[side], iteration, j, 0xc7c1e);
    cropInto(
      out,
      j * 3 * size * size,
      set.images[i]!,
      L,
      size,
      r.int(L - size + 1),
      r.int(L - size + 1),
      r.next() < 0.5,
    );
  });
  return out;
}

/** Fixed preview images: `count` spread over the set, centre-cropped, unflipped. */
export function previewImages(set: ImageSet, count: number, size: number): Float32Array[] {
  const n = Math.min(count, set.images.length),
    L = set.loadSize,
    o = Math.floor((L - size) / 2);
  return Array.from({ length: n }, (_, k) => {
    const out = new Float32Array(3 * size * size);
    cropInto(out, 0, set.images[Math.floor((k * set.images.length) / n)]!, L, size, o, o, false);
    return out;
  });
}
