/**
 * --filter / --nfilter: keep only the faces of one person, or drop the faces of another, by the distance between
 * identity descriptors (face-api's recognition net on a dlib-style chip of the aligned face).
 */
import type { Tensor } from '../engine/index.js';
import type { Affine } from '../core/geometry/umeyama.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { readImage } from '../media/image.js';
import { largestFace, type FaceDetector } from './human.js';
import { IDENTITY_CHIP, SAME_PERSON, descriptorDistance, faceDescriptor } from './identity.js';
import { alignmentMatrix, cropMatrix, faceRegion, shiftAffine, tensorToImage, warpCrop } from './align.js';
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';

/** The recognition net's chip (IDENTITY_CHIP) of the face at `alignment` (image pixels -> mean-face units). */
function identityChip(source: Tensor, alignment: Affine): RgbImage {
  const chipT = warpCrop(source, cropMatrix(alignment, IDENTITY_CHIP.size, IDENTITY_CHIP.coverage), IDENTITY_CHIP.size);
  const chip = tensorToImage(chipT);
  chipT.dispose();
  return chip;
}

/** The descriptor of the face at `alignment` (image pixels -> mean-face units) in an image tensor. */
export async function identityOf(source: Tensor, alignment: Affine): Promise<number[]> {
  return faceDescriptor(identityChip(source, alignment));
}

/** The chip of the face with these 68 landmarks in an image; only the chip's region becomes a tensor. */
export function identityChipOfFace(image: RgbImage, landmarks: readonly Point[]): RgbImage {
  const alignment = alignmentMatrix(landmarks);
  const region = faceRegion(
    image,
    cropMatrix(alignment, IDENTITY_CHIP.size, IDENTITY_CHIP.coverage),
    IDENTITY_CHIP.size,
  );
  try {
    return identityChip(region.tensor, shiftAffine(alignment, region.x0, region.y0));
  } finally {
    region.tensor.dispose();
  }
}

/** The descriptor of the face with these 68 landmarks in an image. */
export async function identityOfFace(image: RgbImage, landmarks: readonly Point[]): Promise<number[]> {
  return faceDescriptor(identityChipOfFace(image, landmarks));
}

/** The setting --filter-threshold of every stage that takes --filter (extract, convert, eval), declared once. */
export const FILTER_THRESHOLD_SPEC = {
  type: 'number',
  help: "identity distance under which a face counts as the filter's person",
  default: SAME_PERSON,
  min: 0.1,
  max: 1.5,
} as const;

export class IdentityFilter {
  constructor(
    readonly wanted: number[][],
    readonly unwanted: number[][],
    readonly threshold = SAME_PERSON,
  ) {}

  get active(): boolean {
    return this.wanted.length > 0 || this.unwanted.length > 0;
  }

  /** The largest face of each image, as a descriptor; an image without a face is an error. */
  static async fromImages(
    detector: FaceDetector,
    filter: readonly string[],
    nfilter: readonly string[],
    threshold = SAME_PERSON,
  ): Promise<IdentityFilter> {
    const describe = async (path: string, flag: string) => {
      const image = await readImage(path);
      const faces = await detector.detect(image);
      const face = largestFace(faces);
      if (!face)
        throw new FaceganError(
          ErrorCodes.BAD_FILE,
          `No face found in ${path} (given with ${flag}); give a clear photo of the person's face.`,
        );
      return identityOfFace(image, face.landmarks);
    };
    const wanted = [],
      unwanted = [];
    for (const p of filter) wanted.push(await describe(p, '--filter'));
    for (const p of nfilter) unwanted.push(await describe(p, '--nfilter'));
    return new IdentityFilter(wanted, unwanted, threshold);
  }

  /**
   * Whether a face passes: near a wanted face (and nearer to it than to any unwanted), and not near an unwanted one.
   */
  keeps(descriptor: readonly number[]): boolean {
    const nearest = (set: number[][]) => Math.min(...set.map((d) => descriptorDistance(d, descriptor)));
    const dw = this.wanted.length ? nearest(this.wanted) : undefined,
      du = this.unwanted.length ? nearest(this.unwanted) : undefined;
    if (dw !== undefined && dw >= this.threshold) return false;
    if (du !== undefined && du < this.threshold) return false;
    return dw === undefined || du === undefined || dw < du;
  }
}
