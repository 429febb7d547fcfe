/**
 * The preview grid faceswap users know: for each preview face, A | A->A | A->B and, beside it, B | B->B | B->A,
 * on a labelled strip. Pure layout here (planar floats in, RGB out); writing is the trainer's.
 */
import type { RgbImage } from '../core/image.js';

export const PREVIEW_COLUMNS = ['A', 'A>A', 'A>B', 'B', 'B>B', 'B>A'] as const;
/** Pixels between the A block and the B block. */
export const PREVIEW_GAP = 8;

/** Where cell (row, column) starts in a grid of `size` cells (below a header of `header` pixels). */
export function cellOrigin(row: number, column: number, size: number, header: number): [number, number] {
  return [column * size + (column >= 3 ? PREVIEW_GAP : 0), header + row * size];
}

/**
 * Lays out rows of six planar [3, S, S] images (a missing cell stays black) under a header strip of `header`
 * pixels (the labels are drawn onto it by the writer).
 */
export function previewGrid(rows: readonly (readonly (Float32Array | undefined)[])[], size: number, header = 0): RgbImage {
  const width = 6 * size + PREVIEW_GAP, height = header + rows.length * size, plane = size * size;
  const data = new Uint8Array(width * height * 3);
  rows.forEach((cells, r) => cells.forEach((cell, c) => {
    if (!cell) return;
    const [x0, y0] = cellOrigin(r, c, size, header);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = ((y0 + y) * width + x0 + x) * 3, p = y * size + x;
        for (let ch = 0; ch < 3; ch++) data[o + ch] = Math.round(Math.min(1, Math.max(0, cell[ch * plane + p]!)) * 255);
      }
    }
  }));
  return { width, height, data };
}
