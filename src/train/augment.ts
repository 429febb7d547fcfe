/**
 * Training samples from aligned crops, as faceswap makes them: the target is the crop under a random
 * zoom/rotate/shift/flip and colour change; the input is the same with a smooth random warp on top (a 5x5 grid of
 * offsets, interpolated), so that the model learns to rebuild a face rather than copy pixels. Pure maths on
 * typed arrays, seeded: the same Random gives the same sample.
 */
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';
import { applyAffine, invertAffine, type Affine } from '../core/geometry/umeyama.js';
import { convexHull, rasterizePolygon, scalePolygon } from '../core/geometry/polygon.js';
import { labToRgb, rgbToLab } from '../core/colour.js';
import { labStats, transferLabStats, type LabStats } from '../core/colour-match.js';
import type { Random } from '../core/random.js';

export interface AugmentOptions {
  /** Largest rotation, degrees. */
  rotate: number;
  /** Largest zoom change, as a fraction (0.05 = +-5%). */
  zoom: number;
  /** Largest shift, as a fraction of the side. */
  shift: number;
  /** Chance of a horizontal flip. */
  flip: number;
  /** Spread of the warp grid's offsets, as a fraction of the side (0 turns the warp off). */
  warp: number;
  /** Largest lightness change, as a fraction (faceswap: 0.3). */
  lightness: number;
  /** Largest shift of Lab a and b, as a fraction of 100 (faceswap: 0.08). */
  colour: number;
}

export const AUGMENT_DEFAULTS: AugmentOptions = {
  rotate: 10,
  zoom: 0.05,
  shift: 0.05,
  flip: 0.5,
  warp: 0.03,
  lightness: 0.3,
  colour: 0.08,
};
export const NO_AUGMENT: AugmentOptions = { rotate: 0, zoom: 0, shift: 0, flip: 0, warp: 0, lightness: 0, colour: 0 };

/** An aligned crop with its 68 landmarks in crop pixels (absent for crops without a facegan record). */
export interface FaceSource {
  image: RgbImage;
  landmarks?: readonly Point[];
}

/** One sample of side S: planar float RGB in 0-1 ([3, S, S]), the face mask and the loss weights ([S, S]). */
export interface Sample {
  input: Float32Array;
  target: Float32Array;
  /** 1 inside the face (landmark hull), 0 outside; all 1 without landmarks. */
  mask: Float32Array;
  /** Per-pixel loss weight: eyeWeight on the eyes, mouthWeight on the mouth, 1 elsewhere. */
  weights: Float32Array;
}

export interface SampleOptions {
  size: number;
  /** Central share of the crop the model sees (faceswap's training coverage). */
  coverage: number;
  augment: AugmentOptions;
  eyeWeight: number;
  mouthWeight: number;
  /**
   * faceswap's warp-to-landmarks: the input is warped so that the face's landmarks move to those of a similar
   * face of the same person (given to makeSample), instead of the random grid warp.
   */
  toLandmarks?: boolean;
  /**
   * Chance that a training sample takes the colour of a face of the other side: its Lab mean and spread, input and
   * target alike (DeepFaceLab's random colour transfer). The colour given to makeSample.
   */
  colourTransfer?: number;
}

/** Output pixels -> crop pixels, for the drawn zoom/rotate/shift/flip. */
export function sampleMatrix(cropSide: number, o: SampleOptions, rng?: Random): Affine {
  const a = o.augment;
  const draw = (m: number) => (rng && m ? rng.uniform(-m, m) : 0);
  const angle = (draw(a.rotate) * Math.PI) / 180,
    scale = 1 + draw(a.zoom),
    dx = draw(a.shift),
    dy = draw(a.shift);
  const flip = rng && a.flip && rng.next() < a.flip ? -1 : 1;
  const k = (cropSide * o.coverage) / scale;
  const cos = Math.cos(angle),
    sin = Math.sin(angle);
  // source = c + k * (R * F * t + shift), t = (u + 0.5) / S - 0.5
  const L = [
    [k * cos * flip, -k * sin],
    [k * sin * flip, k * cos],
  ] as const;
  const t0 = 0.5 / o.size - 0.5,
    c = cropSide / 2;
  return [
    [L[0][0] / o.size, L[0][1] / o.size, c + L[0][0] * t0 + L[0][1] * t0 + k * dx],
    [L[1][0] / o.size, L[1][1] / o.size, c + L[1][0] * t0 + L[1][1] * t0 + k * dy],
  ];
}

/** Offsets of a smooth random warp: a 5x5 grid of normal draws, bilinearly spread over S x S (in output pixels). */
export function warpField(size: number, spread: number, rng: Random): Float32Array {
  const g = 5,
    grid = Float32Array.from({ length: g * g * 2 }, () => rng.normal() * spread * size);
  const field = new Float32Array(size * size * 2);
  for (let v = 0; v < size; v++) {
    const gy = (v / (size - 1)) * (g - 1),
      y0 = Math.min(g - 2, Math.floor(gy)),
      fy = gy - y0;
    for (let u = 0; u < size; u++) {
      const gx = (u / (size - 1)) * (g - 1),
        x0 = Math.min(g - 2, Math.floor(gx)),
        fx = gx - x0;
      // no closure in this loop: tsx names each one it creates, which cost a third of a batch's time
      const i00 = (y0 * g + x0) * 2,
        i01 = i00 + 2,
        i10 = i00 + g * 2,
        i11 = i10 + 2;
      for (let d = 0; d < 2; d++) {
        const top = grid[i00 + d]! * (1 - fx) + grid[i01 + d]! * fx;
        const bottom = grid[i10 + d]! * (1 - fx) + grid[i11 + d]! * fx;
        field[(v * size + u) * 2 + d] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return field;
}

/** Border points that stay still under the landmark warp: 8 per side of an S x S output. */
function anchors(size: number): Point[] {
  const out: Point[] = [],
    lo = -0.5,
    hi = size - 0.5;
  for (let i = 0; i < 8; i++) {
    const t = lo + ((hi - lo) * i) / 8;
    out.push([t, lo], [hi, t], [hi - (t - lo), hi], [lo, hi - (t - lo)]);
  }
  return out;
}

/**
 * Offsets (output pixels) that bring the features at `own` (crop pixels) to where `other` has them: at other's
 * points the input samples own's, the border stays, and in between the offsets are spread by inverse-distance
 * weighting. `m` maps output pixels to crop pixels.
 */
export function landmarkField(size: number, m: Affine, own: readonly Point[], other: readonly Point[]): Float32Array {
  const inv = invertAffine(m);
  const to = other.map((p) => applyAffine(inv, p)),
    from = own.map((p) => applyAffine(inv, p));
  const points = [...to, ...anchors(size)];
  const offsets = [
    ...to.map((q, i) => [from[i]![0] - q[0], from[i]![1] - q[1]] as const),
    ...anchors(size).map(() => [0, 0] as const),
  ];
  const field = new Float32Array(size * size * 2);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let sw = 0,
        sx = 0,
        sy = 0,
        exact = -1;
      for (let k = 0; k < points.length; k++) {
        const d2 = (points[k]![0] - u) ** 2 + (points[k]![1] - v) ** 2;
        if (d2 < 1e-6) {
          exact = k;
          break;
        }
        const w = 1 / (d2 * d2);
        sw += w;
        sx += w * offsets[k]![0];
        sy += w * offsets[k]![1];
      }
      const p = (v * size + u) * 2;
      field[p] = exact >= 0 ? offsets[exact]![0] : sx / sw;
      field[p + 1] = exact >= 0 ? offsets[exact]![1] : sy / sw;
    }
  }
  return field;
}

/** Bilinear sampling of the crop at (x, y) crop pixels (centres at +0.5), edges repeated, into out[o..] planar. */
function sampleInto(img: RgbImage, m: Affine, size: number, out: Float32Array, field?: Float32Array): void {
  const { width: w, height: h, data } = img,
    plane = size * size;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const p = v * size + u;
      const uu = field ? u + field[p * 2]! : u,
        vv = field ? v + field[p * 2 + 1]! : v;
      const x = Math.min(w - 1, Math.max(0, m[0][0] * uu + m[0][1] * vv + m[0][2] - 0.5));
      const y = Math.min(h - 1, Math.max(0, m[1][0] * uu + m[1][1] * vv + m[1][2] - 0.5));
      const x0 = Math.min(w - 2, Math.floor(x)),
        y0 = Math.min(h - 2, Math.floor(y)),
        fx = x - x0,
        fy = y - y0;
      const i00 = (y0 * w + x0) * 3,
        i10 = i00 + 3,
        i01 = i00 + w * 3,
        i11 = i01 + 3;
      for (let c = 0; c < 3; c++) {
        const top = data[i00 + c]! * (1 - fx) + data[i10 + c]! * fx,
          bottom = data[i01 + c]! * (1 - fx) + data[i11 + c]! * fx;
        out[c * plane + p] = (top * (1 - fy) + bottom * fy) / 255;
      }
    }
  }
}

/** Shifts lightness and a/b in Lab, identically for each image given (planar [3, S, S]). */
function jitterColour(images: Float32Array[], plane: number, a: AugmentOptions, rng: Random): void {
  if (!a.lightness && !a.colour) return;
  const dl = rng.uniform(-a.lightness, a.lightness),
    da = rng.uniform(-a.colour, a.colour) * 100,
    db = rng.uniform(-a.colour, a.colour) * 100;
  const lab = new Float64Array(3),
    rgb = new Float64Array(3);
  for (const img of images) {
    for (let p = 0; p < plane; p++) {
      rgbToLab(img[p]!, img[plane + p]!, img[2 * plane + p]!, lab);
      const L = dl > 0 ? lab[0]! + (100 - lab[0]!) * dl : lab[0]! * (1 + dl);
      labToRgb(L, lab[1]! + da, lab[2]! + db, rgb);
      img[p] = rgb[0]!;
      img[plane + p] = rgb[1]!;
      img[2 * plane + p] = rgb[2]!;
    }
  }
}

const EYES = [
    [36, 42],
    [42, 48],
  ] as const,
  MOUTH = [48, 60] as const;

/** Face mask and loss weights in output pixels, from the crop's landmarks moved through the sample's matrix. */
function masks(src: FaceSource, m: Affine, o: SampleOptions): { mask: Float32Array; weights: Float32Array } {
  const plane = o.size * o.size;
  const mask = new Float32Array(plane),
    weights = new Float32Array(plane).fill(1);
  if (!src.landmarks) return { mask: mask.fill(1), weights };
  const inv = invertAffine(m);
  const pts = src.landmarks.map((p) => applyAffine(inv, p));
  // The hull of the 68 points stops at the brows; faceswap's "extended" mask lifts it over the forehead.
  const brows = pts.slice(17, 27),
    chin = pts[8]!,
    top = brows.map(([x, y]) => [x, y - (chin[1] - y) * 0.15] as const);
  rasterizePolygon(convexHull([...pts, ...top]), o.size, o.size, mask);
  if (o.eyeWeight !== 1)
    for (const [s, e] of EYES)
      rasterizePolygon(scalePolygon(convexHull(pts.slice(s, e)), 1.6), o.size, o.size, weights, o.eyeWeight);
  if (o.mouthWeight !== 1)
    rasterizePolygon(
      scalePolygon(convexHull(pts.slice(MOUTH[0], MOUTH[1])), 1.2),
      o.size,
      o.size,
      weights,
      o.mouthWeight,
    );
  return { mask, weights };
}

/**
 * One training sample; without rng, the plain crop (previews, evaluation). `similar` is the landmarks of a similar
 * face of the same person (crop pixels), for warp-to-landmarks; `colour`, the Lab colour of a face of the other side
 * for the sample to take (under its face mask) before the colour jitter.
 */
export function makeSample(
  src: FaceSource,
  o: SampleOptions,
  rng?: Random,
  similar?: readonly Point[],
  colour?: LabStats,
): Sample {
  const plane = o.size * o.size;
  const m = sampleMatrix(src.image.width, o, rng);
  const target = new Float32Array(3 * plane),
    input = new Float32Array(3 * plane);
  sampleInto(src.image, m, o.size, target);
  if (rng && o.toLandmarks && similar && src.landmarks)
    sampleInto(src.image, m, o.size, input, landmarkField(o.size, m, src.landmarks, similar));
  else if (rng && o.augment.warp > 0) sampleInto(src.image, m, o.size, input, warpField(o.size, o.augment.warp, rng));
  else input.set(target);
  const face = masks(src, m, o);
  if (rng && colour) {
    const [t, i] = transferLabStats([target, input], statsMask(face.mask), colour);
    target.set(t!);
    input.set(i!);
  }
  if (rng) jitterColour([input, target], plane, o.augment, rng);
  return { input, target, ...face };
}

/** The pixels a colour is measured on: the face mask, or the whole sample where the face is (almost) out of it. */
function statsMask(mask: Float32Array): Float32Array {
  let sum = 0;
  for (const v of mask) sum += v;
  return sum >= 0.05 * mask.length ? mask : new Float32Array(mask.length).fill(1);
}

const colourCache = new WeakMap<FaceSource, Map<string, LabStats>>();

/** The Lab colour of a face as the model sees it (the plain sample, under its face mask); cached per face and view. */
export function faceColour(src: FaceSource, o: SampleOptions): LabStats {
  const key = `${o.size}:${o.coverage}`;
  let views = colourCache.get(src);
  if (!views) colourCache.set(src, (views = new Map()));
  let stats = views.get(key);
  if (!stats) {
    const plain = makeSample(src, o);
    stats = labStats(plain.target, statsMask(plain.mask));
    views.set(key, stats);
  }
  return stats;
}
