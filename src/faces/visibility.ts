/**
 * How visible a face is, from two landmark models that read it independently: Human's mesh and face-api's 68-point
 * net, the latter on an upright chip cut at the mesh's alignment. Where the face is whole they agree within a few
 * hundredths of the eye distance; a hand, a phone or another head over part of the face pulls them apart, as each
 * model guesses the hidden part its own way.
 */
import type { RgbImage } from '../core/image.js';
import { planarToRgb } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';
import { applyAffine } from '../core/geometry/umeyama.js';
import { eyeCentres } from '../core/geometry/landmarks68.js';
import { cropRgb } from '../core/crop-sample.js';
import { alignmentMatrix, cropMatrix } from './align.js';
import { chipLandmarks } from './ssd.js';

/** The chip face-api's landmark net reads: its side, and the mean face's share of it (about an SSD box's framing). */
const CHIP = { size: 128, coverage: 0.75 } as const;
/** Mean disagreement (in eye distances) at which visibility reaches 0. */
const DISAGREEMENT_AT_ZERO = 0.3;

/** Mean distance between two sets of 68 landmarks, in units of the first set's eye distance. */
export function landmarkDisagreement(a: readonly Point[], b: readonly Point[]): number {
  const [r, l] = eyeCentres(a);
  const eyes = Math.hypot(l[0] - r[0], l[1] - r[1]) || 1;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.hypot(a[i]![0] - b[i]![0], a[i]![1] - b[i]![1]);
  return sum / a.length / eyes;
}

/** Visibility 0-1 of the face with these 68 landmarks (from the mesh) in `image`: 1 - disagreement / 0.3. */
export async function faceVisibility(image: RgbImage, landmarks: readonly Point[]): Promise<number> {
  const toChip = cropMatrix(alignmentMatrix(landmarks), CHIP.size, CHIP.coverage);
  const chip = planarToRgb(cropRgb(image, toChip, CHIP.size), CHIP.size);
  const other = await chipLandmarks(chip);
  const d = landmarkDisagreement(
    landmarks.map((p) => applyAffine(toChip, p)),
    other,
  );
  return Math.max(0, Math.min(1, 1 - d / DISAGREEMENT_AT_ZERO));
}
