/** facegan's image type: 8-bit RGB, row-major, 3 bytes a pixel. Pure: reading and writing live in src/media. */
export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, rows top to bottom. */
  data: Uint8Array;
}

/** An RGB image from planar float RGB in 0-1 ([3, height, width], as tensors and core/crop-sample.ts lay it out). */
export function planarToRgb(planes: Float32Array, width: number, height = width): RgbImage {
  const n = width * height,
    data = new Uint8Array(n * 3);
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) data[i * 3 + c] = Math.round(planes[c * n + i]! * 255);
  return { width, height, data };
}

/** The image turned clockwise by `quarters` quarter turns (0-3). */
export function rotateQuarters(img: RgbImage, quarters: number): RgbImage {
  const q = ((quarters % 4) + 4) % 4;
  if (q === 0) return img;
  const { width: w, height: h, data } = img;
  const W = q === 2 ? w : h,
    H = q === 2 ? h : w;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [X, Y] = q === 1 ? [h - 1 - y, x] : q === 2 ? [w - 1 - x, h - 1 - y] : [y, w - 1 - x];
      const s = (y * w + x) * 3,
        d = (Y * W + X) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width: W, height: H, data: out };
}

/** Where a point (continuous pixel coordinates) of the image turned by `quarters` lies in the original w x h image. */
export function unrotatePoint(x: number, y: number, quarters: number, w: number, h: number): [number, number] {
  const q = ((quarters % 4) + 4) % 4;
  return q === 0 ? [x, y] : q === 1 ? [y, h - x] : q === 2 ? [w - x, h - y] : [w - y, x];
}
