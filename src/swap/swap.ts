/**
 * Swapping faces in a frame (the library convert and eval share): align it as training did, run the model
 * through the other side's decoder, match its colour, and paste it back through a feathered mask with the
 * inverse warp. Only the face's region of the frame is touched. The crop-space steps (mask, colour) run at a "blend
 * size" near the face's size in the frame,
 * so that the pasted face is neither blurred by a small crop nor slowed by a big one.
 */
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';
import { applyAffine, composeAffine, invertAffine, similarityParts, type Affine } from '../core/geometry/umeyama.js';
import { avgColour, colourTransfer, matchHistogram, type Planar } from '../core/colour-match.js';
import { seamlessClone } from '../core/poisson.js';
import { pasteCrop } from '../core/paste.js';
import { type Tensor, tensor, tidy, noGrad, autocast, interpolate, hasFastBf16, type Device } from '../engine/index.js';
import { alignmentMatrix, cropMatrix, shiftAffine, unitToCrop } from '../faces/align.js';
import { copyRegion, cropBounds, cropPlanar, cropRgb, footprint } from '../core/crop-sample.js';
import type { ModelGeometry, SwapModel } from '../models/trained.js';
import { timed, type StageTimes } from '../core/stage-times.js';
import { clearBorder, landmarkMask, refineMask, type MaskType } from './masks.js';

export const COLOUR_MODES = ['avg-color', 'color-transfer', 'match-hist', 'seamless', 'none'] as const;
export type ColourMode = (typeof COLOUR_MODES)[number];

export const COLOUR_HELP: Record<ColourMode, string> = {
  'avg-color': "shift the face's mean colour to the original face's",
  'color-transfer': "move the face's Lab mean and spread to the original's (Reinhard; default)",
  'match-hist': "match each RGB channel's histogram to the original's",
  seamless: "Poisson blending: keep the face's detail, take the colour of the mask's edge",
  none: 'paste the model output as it is',
};

export interface SwapSettings {
  /** The decoder that draws the new face: 'b' swaps A->B, 'a' swaps B->A. */
  decoder: 'a' | 'b';
  mask: MaskType;
  /** Erosion of the mask as a share of the crop side (negative grows it). */
  erode: number;
  /** Feather (blur) of the mask's edge as a share of the crop side. */
  feather: number;
  colour: ColourMode;
  /** Unsharp-mask amount (0: none). */
  sharpen: number;
  /** Run the model in bf16 (faster on CPUs with AMX, and on GPUs). */
  bf16: boolean;
  device: Device;
}

/** Whether to run the model in bf16: asked for, or auto where the device runs it natively. */
export function useBf16(precision: 'auto' | 'fp32' | 'bf16' | undefined, device: Device): boolean {
  return precision === 'bf16' || (precision !== 'fp32' && hasFastBf16(device === 'cpu' ? 'cpu' : 'cuda'));
}

/** Side of the training crops the model's input is resampled from (extract's default size). */
const EXTRACT_SIZE = 256;
const MIN_BLEND = 64,
  MAX_BLEND = 256;

const planar = (t: Tensor) => t.data() as Float32Array;

function sharpen(img: Planar, size: number, amount: number): Planar {
  const out = new Float32Array(img.length),
    plane = size * size,
    last = size - 1;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      // rows and columns beyond the edge repeat it; no closure per pixel (tsx names each one it creates)
      const row = c * plane + y * size,
        up = c * plane + Math.max(0, y - 1) * size;
      const down = c * plane + Math.min(last, y + 1) * size;
      for (let x = 0; x < size; x++) {
        const v = img[row + x]!;
        const left = img[row + Math.max(0, x - 1)]!,
          right = img[row + Math.min(last, x + 1)]!;
        const blur = (img[up + x]! + img[down + x]! + left + right + 4 * v) / 8;
        out[row + x] = Math.min(1, Math.max(0, v + amount * (v - blur)));
      }
    }
  }
  return out;
}

/** The per-pixel colour modes (seamless works on the blend crop instead). */
const PER_PIXEL = { 'avg-color': avgColour, 'color-transfer': colourTransfer, 'match-hist': matchHistogram } as const;

/**
 * The blend size for a face: its aligned crop's side in frame pixels, rounded to 16, within 64-256 (4x the
 * model's 64 px).
 */
export function blendSize(alignment: Affine, coverage: number): number {
  const unit = 1 / similarityParts(alignment).scale;
  return Math.min(MAX_BLEND, Math.max(MIN_BLEND, Math.round(unit / coverage / 16) * 16));
}

/** A face made ready for the model: its geometry, a copy of the frame region it covers, and the model's input. */
export interface PreparedFace {
  landmarks: readonly Point[];
  blend: number;
  /** Frame pixels -> blend-crop pixels. */
  toBlend: Affine;
  /** The frame's pixels under the blend crop, copied before any face of the frame is pasted. */
  region: RgbImage;
  /** Region pixels -> blend-crop pixels. */
  local: Affine;
  /** The model's input: planar pixels [3, S, S], 0-1 (runModel or a model's thread stacks a batch of them). */
  pixels: Float32Array;
}

/** Aligns the face with these 68 landmarks (frame pixels) and cuts the model's input as training did. */
export function prepareFace(source: RgbImage, landmarks: readonly Point[], g: ModelGeometry): PreparedFace {
  const alignment = alignmentMatrix(landmarks);
  const B = blendSize(alignment, g.modelCoverage);
  const toBlend = cropMatrix(alignment, B, g.modelCoverage);
  const bounds = cropBounds(source, toBlend, B);
  const region = copyRegion(source, bounds);
  // the extract crop, then its central share resampled: the model's input as training made it. Only the part of
  // the extract crop that the second warp reads is computed.
  const toExtract = shiftAffine(cropMatrix(alignment, EXTRACT_SIZE, g.extractCoverage), bounds.x0, bounds.y0);
  const extractToModel = composeAffine(
    unitToCrop(g.size, g.modelCoverage),
    invertAffine(unitToCrop(EXTRACT_SIZE, g.extractCoverage)),
  );
  const read = cropBounds({ width: EXTRACT_SIZE, height: EXTRACT_SIZE }, extractToModel, g.size);
  const extract = cropRgb(region, toExtract, EXTRACT_SIZE, read);
  const modelInput = cropPlanar(extract, EXTRACT_SIZE, extractToModel, g.size);
  const local = shiftAffine(toBlend, bounds.x0, bounds.y0);
  return { landmarks, blend: B, toBlend, region, local, pixels: modelInput };
}

/** The model on a batch [N, 3, S, S] toward `s.decoder`, in bf16 when asked; the output on the CPU, float32. */
export function forwardModel(
  trained: SwapModel,
  x: Tensor,
  s: Pick<SwapSettings, 'decoder' | 'bf16' | 'device'>,
): Tensor {
  return noGrad(() =>
    tidy(() => {
      const input = x.to({ device: s.device });
      const run = () => trained.model.forward(input, s.decoder);
      return (s.bf16 ? autocast(s.device === 'cpu' ? 'cpu' : 'cuda', 'bfloat16', run) : run()).to({
        device: 'cpu',
        dtype: 'float32',
      });
    }),
  );
}

/**
 * Runs the model on many faces at once (batched: several times faster per face than one by one); outputs on the
 * CPU, float32.
 */
export function runModel(
  trained: SwapModel,
  faces: readonly PreparedFace[],
  s: Pick<SwapSettings, 'decoder' | 'bf16' | 'device'>,
): Tensor[] {
  if (!faces.length) return [];
  const S = trained.geometry.size;
  return noGrad(() =>
    tidy(() => {
      const y = forwardModel(trained, tensor(stackPixels(faces), { shape: [faces.length, 3, S, S] }), s);
      return faces.map((_, i) => y.narrow(0, i, 1).contiguous());
    }),
  );
}

/** The faces' model inputs one after another: a batch's pixels, [N, 3, S, S]. */
export function stackPixels(faces: readonly Pick<PreparedFace, 'pixels'>[]): Float32Array {
  const each = faces[0]?.pixels.length ?? 0;
  const pixels = new Float32Array(each * faces.length);
  faces.forEach((f, i) => pixels.set(f.pixels, i * each));
  return pixels;
}

/** Blends the model's output `y` ([1, 3 or 4, S, S]) for a prepared face into `target`. */
export function pasteFace(f: PreparedFace, y: Tensor, target: RgbImage, s: SwapSettings, times?: StageTimes): void {
  const B = f.blend,
    { region, local } = f;
  const S = y.shape[2]!;
  // blend-crop pixels -> model-crop pixels (the same crop at another size)
  const blendToModel: Affine = [
    [S / B, 0, (S / B - 1) / 2],
    [0, S / B, (S / B - 1) / 2],
  ];
  const hardMask = (size: number, toCrop: Affine, learned?: Float32Array) =>
    s.mask === 'learned'
      ? Float32Array.from(learned ?? new Float32Array(size * size).fill(1), (v) => (v > 0.5 ? 1 : 0))
      : s.mask === 'none'
        ? new Float32Array(size * size).fill(1)
        : landmarkMask(
            s.mask,
            f.landmarks.map((p) => applyAffine(toCrop, p)),
            size,
          );
  // colour statistics and the per-pixel colour change at the model's size (the face has no finer detail), then up
  let face = noGrad(() => tidy(() => planar(y.narrow(1, 0, 3).contiguous())));
  if (s.colour in PER_PIXEL)
    timed(times, 'paste: colour', () => {
      const originalS = cropRgb(region, composeAffine(blendToModel, local), S);
      const learnedS = y.shape[1] === 4 ? noGrad(() => tidy(() => planar(y.narrow(1, 3, 1).contiguous()))) : undefined;
      const statsMask = refineMask(hardMask(S, composeAffine(blendToModel, f.toBlend), learnedS), S, s.erode, 0);
      face = PER_PIXEL[s.colour as keyof typeof PER_PIXEL](face, originalS, statsMask);
    });
  const { up, learned, original } = timed(times, 'paste: upsample', () =>
    noGrad(() =>
      tidy(() => {
        const big = interpolate(tensor(face, { shape: [1, 3, S, S] }), { size: [B, B], mode: 'bilinear' });
        return {
          up: planar(big),
          learned:
            y.shape[1] === 4
              ? planar(interpolate(y.narrow(1, 3, 1).contiguous(), { size: [B, B], mode: 'bilinear' }))
              : undefined,
          original: s.colour === 'seamless' ? cropRgb(region, local, B) : undefined,
        };
      }),
    ),
  );
  const { eroded, mask } = timed(times, 'paste: mask', () => {
    const hard = hardMask(B, f.toBlend, learned);
    // the feathered edge must end inside the crop: clear a border as wide as the feather (and at least 2%)
    const eroded = clearBorder(refineMask(hard, B, s.erode, 0), B, Math.max(s.feather, 0.02) * B);
    return { eroded, mask: refineMask(eroded, B, 0, s.feather) };
  });
  let out =
    s.colour === 'seamless' ? timed(times, 'paste: seamless', () => seamlessClone(up, original!, eroded, B, B)) : up;
  if (s.sharpen > 0) out = sharpen(out, B, s.sharpen);
  timed(times, 'paste: blend', () => {
    const box = maskBox(mask, B, f.toBlend, target.width, target.height);
    if (box) pasteCrop(target, out, mask, B, f.toBlend, box);
  });
}

/** A copy of `image` with `y`, a model's output for `face`, pasted into it (the image itself is left as it is). */
export function pastedCopy(image: RgbImage, face: PreparedFace, y: Tensor, s: SwapSettings): RgbImage {
  const out = { width: image.width, height: image.height, data: new Uint8Array(image.data) };
  pasteFace(face, y, out, s);
  return out;
}

/**
 * A copy of `image` with the face's own model input pasted back: what a model that gave back its input exactly would
 * make of the frame (eval's mouth ceiling).
 */
export function pastedInput(image: RgbImage, face: PreparedFace, s: SwapSettings): RgbImage {
  const S = Math.round(Math.sqrt(face.pixels.length / 3));
  const y = tensor(face.pixels, { shape: [1, 3, S, S] });
  try {
    return pastedCopy(image, face, y, s);
  } finally {
    y.dispose();
  }
}

/**
 * The bounding box, in frame pixels, of where a B x B blend-crop mask is not zero, seen through `toBlend` (frame
 * -> crop) and clipped to the frame: only there can the paste change the frame. One pixel more each side for
 * bilinear sampling.
 */
export function maskBox(
  mask: Float32Array,
  B: number,
  toBlend: Affine,
  width: number,
  height: number,
): { x0: number; y0: number; w: number; h: number } | undefined {
  let x0 = B,
    y0 = B,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < B; y++) {
    for (let x = 0; x < B; x++) {
      if (mask[y * B + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return undefined;
  const [minX, minY, maxX, maxY] = footprint(toBlend, x0 - 1, y0 - 1, x1 + 1, y1 + 1);
  const bx0 = Math.max(0, Math.floor(minX)),
    by0 = Math.max(0, Math.floor(minY));
  const bx1 = Math.min(width, Math.ceil(maxX) + 1),
    by1 = Math.min(height, Math.ceil(maxY) + 1);
  return bx1 > bx0 && by1 > by0 ? { x0: bx0, y0: by0, w: bx1 - bx0, h: by1 - by0 } : undefined;
}
