/**
 * Cutting crops out of images on the CPU, without tensors: the part of an image a crop reads, and bilinear
 * resampling through an affine map with zeros outside the source, as grid_sample (align_corners=false, zeros
 * padding) does. A face's crops are small (64-256 px), and these loops take 1-2 ms each where the same tensor ops
 * wait for a second OpenMP thread that ffmpeg holds while a video is converted (3 ms alone, 12 ms beside it).
 * The bilinear kernel is written out in each loop here and in core/paste.ts on purpose: one shared function
 * returning its four weights and indices through typed arrays measured 20-50% slower in the paste.
 */
import type { RgbImage } from './image.js';
import { applyAffine, invertAffine, type Affine } from './geometry/umeyama.js';

/**
 * The extent in image pixels, [minX, minY, maxX, maxY], of the rectangle [x0, x1] x [y0, y1] of a crop's pixels
 * seen through `matrix` (image -> crop pixels).
 */
export function footprint(
  matrix: Affine,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): [number, number, number, number] {
  const inv = invertAffine(matrix);
  const corners = [
    applyAffine(inv, [x0, y0]),
    applyAffine(inv, [x1, y0]),
    applyAffine(inv, [x0, y1]),
    applyAffine(inv, [x1, y1]),
  ];
  const xs = corners.map((p) => p[0]),
    ys = corners.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The box of `image` that a size x size crop through `matrix` (image -> crop pixels) reads, one pixel more a side. */
export function cropBounds(
  image: { width: number; height: number },
  matrix: Affine,
  size: number,
): { x0: number; y0: number; w: number; h: number } {
  const [minX, minY, maxX, maxY] = footprint(matrix, 0, 0, size, size);
  const x0 = Math.max(0, Math.floor(minX) - 1),
    x1 = Math.min(image.width, Math.ceil(maxX) + 1);
  const y0 = Math.max(0, Math.floor(minY) - 1),
    y1 = Math.min(image.height, Math.ceil(maxY) + 1);
  return { x0, y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) };
}

/** A copy of the box of `image` (black where the box leaves the image). */
export function copyRegion(image: RgbImage, box: { x0: number; y0: number; w: number; h: number }): RgbImage {
  const { x0, y0, w, h } = box,
    data = new Uint8Array(w * h * 3);
  const cols = Math.max(0, Math.min(w, image.width - x0));
  for (let y = 0; y < h && y0 + y < image.height; y++) {
    const from = ((y0 + y) * image.width + x0) * 3;
    data.set(image.data.subarray(from, from + cols * 3), y * w * 3);
  }
  return { width: w, height: h, data };
}

/** The rows x0..x0+w and y0..y0+h of an output, to compute only part of a crop (the rest stays 0). */
export interface OutputBox {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/**
 * A size x size crop of an RGB image through `toCrop` (image -> crop pixels, pixel centres at integer
 * coordinates), bilinear, 0 outside the image: planar float RGB in 0-1 ([3, size, size]).
 */
export function cropRgb(image: RgbImage, toCrop: Affine, size: number, only?: OutputBox): Float32Array {
  const out = new Float32Array(3 * size * size),
    plane = size * size,
    { width: w, height: h, data } = image;
  const [[a, b, tx], [d, e, ty]] = invertAffine(toCrop);
  const box = only ?? { x0: 0, y0: 0, w: size, h: size };
  for (let v = box.y0; v < box.y0 + box.h; v++) {
    let x = a * box.x0 + b * v + tx,
      y = d * box.x0 + e * v + ty;
    for (let u = box.x0; u < box.x0 + box.w; u++, x += a, y += d) {
      if (x <= -1 || y <= -1 || x >= w || y >= h) continue;
      // floor for values > -1 as integer arithmetic; neighbours outside the image weigh 0 (and read index 0)
      const ix = ((x + 1) | 0) - 1,
        iy = ((y + 1) | 0) - 1,
        fx = x - ix,
        fy = y - iy;
      const inX0 = ix >= 0,
        inX1 = ix < w - 1,
        inY0 = iy >= 0,
        inY1 = iy < h - 1;
      const w00 = inX0 && inY0 ? (1 - fx) * (1 - fy) : 0,
        w10 = inX1 && inY0 ? fx * (1 - fy) : 0;
      const w01 = inX0 && inY1 ? (1 - fx) * fy : 0,
        w11 = inX1 && inY1 ? fx * fy : 0;
      const p00 = w00 ? (iy * w + ix) * 3 : 0,
        p10 = w10 ? (iy * w + ix + 1) * 3 : 0;
      const p01 = w01 ? ((iy + 1) * w + ix) * 3 : 0,
        p11 = w11 ? ((iy + 1) * w + ix + 1) * 3 : 0;
      const at = v * size + u;
      for (let c = 0; c < 3; c++) {
        const sum = w00 * data[p00 + c]! + w10 * data[p10 + c]! + w01 * data[p01 + c]! + w11 * data[p11 + c]!;
        out[c * plane + at] = sum / 255;
      }
    }
  }
  return out;
}

/** A size x size crop of a planar float RGB image (side x side) through `toCrop`, as cropRgb. */
export function cropPlanar(src: Float32Array, side: number, toCrop: Affine, size: number): Float32Array {
  const out = new Float32Array(3 * size * size),
    plane = size * size,
    srcPlane = side * side;
  const [[a, b, tx], [d, e, ty]] = invertAffine(toCrop);
  for (let v = 0; v < size; v++) {
    let x = b * v + tx,
      y = e * v + ty;
    for (let u = 0; u < size; u++, x += a, y += d) {
      if (x <= -1 || y <= -1 || x >= side || y >= side) continue;
      const ix = ((x + 1) | 0) - 1,
        iy = ((y + 1) | 0) - 1,
        fx = x - ix,
        fy = y - iy;
      const inX0 = ix >= 0,
        inX1 = ix < side - 1,
        inY0 = iy >= 0,
        inY1 = iy < side - 1;
      const w00 = inX0 && inY0 ? (1 - fx) * (1 - fy) : 0,
        w10 = inX1 && inY0 ? fx * (1 - fy) : 0;
      const w01 = inX0 && inY1 ? (1 - fx) * fy : 0,
        w11 = inX1 && inY1 ? fx * fy : 0;
      const p00 = w00 ? iy * side + ix : 0,
        p10 = w10 ? iy * side + ix + 1 : 0;
      const p01 = w01 ? (iy + 1) * side + ix : 0,
        p11 = w11 ? (iy + 1) * side + ix + 1 : 0;
      for (let c = 0, off = 0; c < 3; c++, off += srcPlane) {
        out[c * plane + v * size + u] =
          w00 * src[off + p00]! + w10 * src[off + p10]! + w01 * src[off + p01]! + w11 * src[off + p11]!;
      }
    }
  }
  return out;
}
