/**
 * Masks that say where the swapped face replaces the frame, drawn in the aligned crop from its 68 landmarks (or
 * taken from the model's learned mask channel), then eroded or grown, and feathered. Pure maths on typed arrays.
 */
import type { Point } from '../core/geometry/meanface.js';
import { convexHull, rasterizePolygon } from '../core/geometry/polygon.js';

export const MASK_TYPES = ['extended', 'components', 'learned', 'none'] as const;
export type MaskType = (typeof MASK_TYPES)[number];

export const MASK_HELP: Record<MaskType, string> = {
  extended: 'the landmark hull with the forehead raised above the brows (default)',
  components: 'the union of the jaw/cheek, brow and nose landmark hulls (tighter, no forehead)',
  learned: "the model's own mask channel (train it with --mask)",
  none: 'the whole crop (only the feather hides its edge)',
};

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const COMPONENTS = [
  [...range(0, 9), ...range(17, 22), ...range(27, 31)],
  [...range(8, 17), ...range(22, 27), ...range(27, 31)],
  [...range(17, 27), ...range(27, 36)],
  [...range(2, 15), ...range(31, 36), ...range(48, 60)],
];

/** A landmark mask (1 inside) of a size x size crop; `landmarks` in crop pixels. */
export function landmarkMask(type: 'extended' | 'components', landmarks: readonly Point[], size: number): Float32Array {
  const out = new Float32Array(size * size);
  if (type === 'components') {
    for (const group of COMPONENTS) rasterizePolygon(convexHull(group.map((i) => landmarks[i]!)), size, size, out);
    return out;
  }
  // the forehead: the brows moved up, away from the chin, by a fifth of the brow-to-chin distance
  const chin = landmarks[8]!;
  const top = landmarks.slice(17, 27).map(([x, y]) => [x + (x - chin[0]) * 0.2, y + (y - chin[1]) * 0.2] as const);
  rasterizePolygon(convexHull([...landmarks, ...top]), size, size, out);
  return out;
}

/**
 * One pass of a running-window filter along rows (axis 0) or columns (axis 1), the edge value repeated beyond the
 * border. The mean keeps a running sum, so its cost does not grow with the radius (a feather of 256 px crops would
 * take 18 ms a face otherwise).
 */
function pass(src: Float32Array, size: number, radius: number, axis: 0 | 1, op: 'mean' | 'min' | 'max'): Float32Array {
  const out = new Float32Array(src.length);
  const step = axis === 0 ? 1 : size,
    last = size - 1;
  for (let line = 0; line < size; line++) {
    const base = axis === 0 ? line * size : line;
    if (op === 'mean') {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) acc += src[base + Math.min(last, Math.max(0, k)) * step]!;
      for (let i = 0; i < size; i++) {
        // the running sum's rounding residue is snapped to 0, so that the mask's box stays tight
        const mean = acc / (2 * radius + 1);
        out[base + i * step] = mean < 1e-6 ? 0 : mean;
        acc += src[base + Math.min(last, i + radius + 1) * step]! - src[base + Math.max(0, i - radius) * step]!;
      }
      continue;
    }
    const pick = op === 'min' ? Math.min : Math.max;
    for (let i = 0; i < size; i++) {
      let acc = src[base + i * step]!;
      for (let k = Math.max(0, i - radius); k <= Math.min(last, i + radius); k++)
        acc = pick(acc, src[base + k * step]!);
      out[base + i * step] = acc;
    }
  }
  return out;
}

/**
 * Erodes (erode > 0) or grows (erode < 0) the mask by |erode| of the crop side, then feathers its edge over
 * `feather` of the side (three box blurs, close to a Gaussian).
 */
export function refineMask(mask: Float32Array, size: number, erode: number, feather: number): Float32Array {
  let m = mask;
  const r = Math.round(Math.abs(erode) * size);
  if (r > 0) {
    const op = erode > 0 ? 'min' : 'max';
    m = pass(pass(m, size, r, 0, op), size, r, 1, op);
  }
  const f = Math.round((feather * size) / 3);
  for (let i = 0; f > 0 && i < 3; i++) m = pass(pass(m, size, f, 0, 'mean'), size, f, 1, 'mean');
  return m === mask ? new Float32Array(mask) : m;
}

/**
 * Clears a margin of the crop's border: the model draws nothing beyond its crop, so a mask must fall to zero
 * before the edge or the paste shows a straight seam there.
 */
export function clearBorder(mask: Float32Array, size: number, margin: number): Float32Array {
  const out = new Float32Array(mask),
    m = Math.max(1, Math.round(margin));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) if (y < m || x < m || y >= size - m || x >= size - m) out[y * size + x] = 0;
  }
  return out;
}
