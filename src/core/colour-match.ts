/**
 * Colour matching of a swapped face to the face it replaces, on planar float RGB (3 planes of n pixels, 0-1)
 * weighted by a mask (0-1 per pixel): the statistics are taken where the mask is, the change is applied
 * everywhere. Pure maths; each returns a new image.
 */
import { labToRgb, rgbToLab } from './colour.js';

export type Planar = Float32Array;

function weightedMean(img: Planar, plane: number, c: number, mask: Float32Array): number {
  let s = 0,
    w = 0;
  for (let p = 0; p < plane; p++) {
    s += img[c * plane + p]! * mask[p]!;
    w += mask[p]!;
  }
  return w > 0 ? s / w : 0;
}

const clamp01 = (img: Planar) => {
  for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, img[i]!));
  return img;
};

/** Shifts each channel so that its mean under the mask equals the target's (faceswap's avg-color). */
export function avgColour(face: Planar, target: Planar, mask: Float32Array): Planar {
  const plane = mask.length,
    out = new Float32Array(face);
  for (let c = 0; c < 3; c++) {
    const d = weightedMean(target, plane, c, mask) - weightedMean(face, plane, c, mask);
    for (let p = 0; p < plane; p++) out[c * plane + p]! += d;
  }
  return clamp01(out);
}

/** Applies a per-pixel colour conversion (rgbToLab, labToRgb) to every pixel of a planar image. */
function convertPixels(
  img: Planar,
  plane: number,
  conv: (a: number, b: number, c: number, out: Float64Array) => unknown,
): Float32Array {
  const out = new Float32Array(img.length),
    px = new Float64Array(3);
  for (let p = 0; p < plane; p++) {
    conv(img[p]!, img[plane + p]!, img[2 * plane + p]!, px);
    out[p] = px[0]!;
    out[plane + p] = px[1]!;
    out[2 * plane + p] = px[2]!;
  }
  return out;
}

/** Mean and spread of each Lab channel of an image under a mask: what Reinhard et al.'s transfer moves. */
export interface LabStats {
  mean: [number, number, number];
  std: [number, number, number];
}

function statsOfLab(lab: Planar, mask: Float32Array): LabStats {
  const plane = mask.length,
    stats: LabStats = { mean: [0, 0, 0], std: [0, 0, 0] };
  for (let c = 0; c < 3; c++) {
    const m = weightedMean(lab, plane, c, mask);
    let v = 0,
      w = 0;
    for (let p = 0; p < plane; p++) {
      v += mask[p]! * (lab[c * plane + p]! - m) ** 2;
      w += mask[p]!;
    }
    stats.mean[c] = m;
    stats.std[c] = w > 0 ? Math.sqrt(v / w) : 0;
  }
  return stats;
}

/** Moves each channel of a Lab image (in place) from one mean and spread to another's, and gives it back as RGB. */
function moveLab(lab: Planar, from: LabStats, to: LabStats): Planar {
  const plane = lab.length / 3;
  for (let c = 0; c < 3; c++) {
    const k = from.std[c]! > 1e-9 ? to.std[c]! / from.std[c]! : 1,
      mf = from.mean[c]!,
      mt = to.mean[c]!;
    for (let p = 0; p < plane; p++) lab[c * plane + p] = (lab[c * plane + p]! - mf) * k + mt;
  }
  return clamp01(convertPixels(lab, plane, labToRgb));
}

/** The Lab mean and spread of a planar RGB image under a mask. */
export function labStats(img: Planar, mask: Float32Array): LabStats {
  return statsOfLab(convertPixels(img, mask.length, rgbToLab), mask);
}

/**
 * Reinhard et al.'s transfer to given statistics: each image moves by the change that brings the first one's Lab mean
 * and spread under the mask to `to`'s (training moves a sample's input and target alike). Each is converted once.
 */
export function transferLabStats(images: Planar[], mask: Float32Array, to: LabStats): Planar[] {
  const labs = images.map((img) => convertPixels(img, mask.length, rgbToLab));
  const from = statsOfLab(labs[0]!, mask);
  return labs.map((lab) => moveLab(lab, from, to));
}

/** Reinhard et al.'s colour transfer: each Lab channel's mean and spread under the mask moved to the target's. */
export function colourTransfer(face: Planar, target: Planar, mask: Float32Array): Planar {
  return transferLabStats([face], mask, labStats(target, mask))[0]!;
}

const BINS = 256;

function cdf(img: Planar, plane: number, c: number, mask: Float32Array): Float64Array {
  const h = new Float64Array(BINS);
  for (let p = 0; p < plane; p++)
    h[Math.min(BINS - 1, Math.max(0, Math.round(img[c * plane + p]! * (BINS - 1))))]! += mask[p]!;
  let s = 0;
  for (let i = 0; i < BINS; i++) h[i] = s += h[i]!;
  if (s > 0) for (let i = 0; i < BINS; i++) h[i]! /= s;
  return h;
}

/** Histogram matching per RGB channel: each level moves to the target's level at the same rank under the mask. */
export function matchHistogram(face: Planar, target: Planar, mask: Float32Array): Planar {
  const plane = mask.length,
    out = new Float32Array(face);
  for (let c = 0; c < 3; c++) {
    const cf = cdf(face, plane, c, mask),
      ct = cdf(target, plane, c, mask);
    const map = new Float32Array(BINS);
    let j = 0;
    for (let i = 0; i < BINS; i++) {
      while (j < BINS - 1 && ct[j]! < cf[i]!) j++;
      map[i] = j / (BINS - 1);
    }
    for (let p = 0; p < plane; p++) {
      const v = face[c * plane + p]! * (BINS - 1),
        i0 = Math.min(BINS - 1, Math.max(0, Math.floor(v))),
        i1 = Math.min(BINS - 1, i0 + 1),
        f = v - i0;
      out[c * plane + p] = map[i0]! * (1 - f) + map[i1]! * f;
    }
  }
  return clamp01(out);
}

/** The weighted mean colour under a mask, [r, g, b]. */
export function meanColour(img: Planar, mask: Float32Array): [number, number, number] {
  return [0, 1, 2].map((c) => weightedMean(img, mask.length, c, mask)) as [number, number, number];
}
