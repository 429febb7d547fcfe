/**
 * Identities for eval: the descriptors of a folder of faces (extract's crops, which carry their descriptor, or
 * plain photos, in which the largest face is found), and their centroid, the identity the folder stands for.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { faceFileNames, readFaceCropOrSkip, requireSomeRead, type FaceCrop } from '../faces/crop-file.js';
import type { Skipped } from '../core/warnings.js';
import { identityOfFace } from '../faces/identity-filter.js';
import { largestFace, type HumanDetector } from '../faces/human.js';

export interface FolderFace extends FaceCrop {
  name: string;
  descriptor: number[];
}

export interface Identity {
  name: string;
  folder: string;
  /** The mean descriptor. */
  centroid: number[];
  faces: number;
}

/** The face images of a folder, sorted, every step-th so that at most `max` are read. */
export function faceFiles(folder: string, max: number, flag: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No folder at ${folder} (given with ${flag}): ` +
        'give a folder of faces, as facegan extract writes them, or of photos.',
    );
  const files = faceFileNames(folder);
  if (!files.length)
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${folder} (given with ${flag}) holds no images; give a folder of faces or photos.`,
    );
  const step = Math.max(1, Math.ceil(files.length / max));
  return files.filter((_, i) => i % step === 0).map((f) => join(folder, f));
}

/**
 * Each face's descriptor: the one its record carries, else measured on its landmarks, else on the largest face found.
 */
export async function folderFaces(
  folder: string,
  detector: HumanDetector,
  max: number,
  flag: string,
  skipped: Skipped[] = [],
): Promise<FolderFace[]> {
  const out: FolderFace[] = [];
  const files = faceFiles(folder, max, flag);
  for (const path of files) {
    const crop = await readFaceCropOrSkip(path, skipped);
    if (!crop) continue;
    let descriptor = crop.record?.face.identity;
    if (!descriptor?.length && crop.landmarks) descriptor = await identityOfFace(crop.image, crop.landmarks);
    if (!descriptor?.length) {
      const face = largestFace(await detector.detect(crop.image));
      if (face) descriptor = await identityOfFace(crop.image, face.landmarks);
    }
    if (descriptor?.length) out.push({ ...crop, name: basename(path), descriptor });
  }
  requireSomeRead(folder, skipped, files.length);
  if (!out.length)
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No face found in ${folder} (given with ${flag}); give a folder of faces or photos of one person.`,
    );
  return out;
}

export function centroid(descriptors: readonly (readonly number[])[]): number[] {
  const c = new Array<number>(descriptors[0]!.length).fill(0);
  for (const d of descriptors)
    d.forEach((v, i) => {
      c[i]! += v / descriptors.length;
    });
  return c;
}
