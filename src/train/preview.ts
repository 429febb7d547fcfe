/**
 * The preview grid faceswap users know: for each preview face, A | A->A | A->B and, beside it, B | B->B | B->A,
 * on a labelled strip (a family may lay out other columns: CycleGAN's A | A>B | A>B>A, B | B>A | B>A>B). Pure
 * layout here (planar floats in, RGB out); writing is the trainer's.
 */
import type { RgbImage } from '../core/image.js';

export const PREVIEW_COLUMNS = ['A', 'A>A', 'A>B', 'B', 'B>B', 'B>A'] as const;
/** Pixels between the A block and the B block. */
export const PREVIEW_GAP = 8;

/** How many columns, and after how many of them the gap falls. */
export interface GridLayout {
  columns: number;
  gapAfter: number;
}
const PAIR_LAYOUT: GridLayout = { columns: 6, gapAfter: 3 };

/** Where cell (row, column) starts in a grid of `size` cells (below a header of `header` pixels). */
export function cellOrigin(
  row: number,
  column: number,
  size: number,
  header: number,
  layout = PAIR_LAYOUT,
): [number, number] {
  return [column * size + (column >= layout.gapAfter ? PREVIEW_GAP : 0), header + row * size];
}

/**
 * Lays out rows of planar [3, S, S] images (a missing cell stays black) under a header strip of `header` pixels
 * (the labels are drawn onto it by the writer).
 */
export function previewGrid(
  rows: readonly (readonly (Float32Array | undefined)[])[],
  size: number,
  header = 0,
  layout = PAIR_LAYOUT,
): RgbImage {
  const width = layout.columns * size + PREVIEW_GAP,
    height = header + rows.length * size,
    plane = size * size;
  const data = new Uint8Array(width * height * 3);
  rows.forEach((cells, r) =>
    cells.forEach((cell, c) => {
      if (!cell) return;
      const [x0, y0] = cellOrigin(r, c, size, header, layout);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const o = ((y0 + y) * width + x0 + x) * 3,
            p = y * size + x;
          for (let ch = 0; ch < 3; ch++)
            data[o + ch] = Math.round(Math.min(1, Math.max(0, cell[ch * plane + p]!)) * 255);
        }
      }
    }),
  );
  return { width, height, data };
}
