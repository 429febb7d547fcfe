/**
 * A moustache painted on a real face, from its own 68 landmarks: a dark, slightly textured patch from under the
 * nose's base down over the upper lip's outer edge, a little wider than the mouth. For the question whether a
 * moustache on B (issue 15: a swap into a man with one) fools the mouth-opening measure.
 */
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';

const inside = (x: number, y: number, poly: readonly Point[]): boolean => {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!,
      [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
};

/** A copy of `image` with a moustache on the face with these landmarks. */
export function paintMoustache(image: RgbImage, landmarks: readonly Point[]): RgbImage {
  const out = { ...image, data: new Uint8Array(image.data) };
  const at = (i: number) => landmarks[i]!;
  const width = Math.hypot(at(54)[0] - at(48)[0], at(54)[1] - at(48)[1]);
  // lower edge: the upper lip's outer edge (48-54) pushed a little down over the lip, its ends past the corners
  const lower = [48, 49, 50, 51, 52, 53, 54].map((i): Point => [at(i)[0], at(i)[1] + 0.06 * width]);
  lower[0] = [lower[0]![0] - 0.12 * width, lower[0]![1] + 0.1 * width];
  lower[6] = [lower[6]![0] + 0.12 * width, lower[6]![1] + 0.1 * width];
  // upper edge: just under the nose's base (35 back to 31)
  const upper = [35, 34, 33, 32, 31].map((i): Point => [at(i)[0], at(i)[1] + 0.08 * width]);
  const poly = [...lower, ...upper];
  const xs = poly.map((p) => p[0]),
    ys = poly.map((p) => p[1]);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(out.height - 1, Math.max(...ys)); y++)
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(out.width - 1, Math.max(...xs)); x++) {
      if (!inside(x, y, poly)) continue;
      const k = (y * out.width + x) * 3,
        grain = ((x * 7 + y * 13) % 5) * 4;
      out.data[k] = 38 + grain;
      out.data[k + 1] = 28 + grain;
      out.data[k + 2] = 22 + grain;
    }
  return out;
}
