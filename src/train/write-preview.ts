/** Writes a family's preview cells as the labelled grid (and a time-lapse frame when asked). */
import { copyFileSync } from 'node:fs';
import { writeLabelledPng } from '../media/image.js';
import { cellOrigin, previewGrid } from './preview.js';
import type { PreviewCells } from './core/family.js';

const HEADER = 12;

export async function writePreview(cells: PreviewCells, path: string, timelapse?: string): Promise<void> {
  const { size, columns, gapAfter } = cells;
  const layout = { columns: columns.length, gapAfter };
  const grid = previewGrid(cells.rows, size, HEADER, layout);
  const scale = Math.max(1, Math.round(128 / size));
  const labels = columns.map((text, c) => ({
    text: text.replaceAll('>', ' > '),
    x: (cellOrigin(0, c, size, 0, layout)[0] + size / 2) * scale,
    y: (HEADER - 2) * scale,
  }));
  await writeLabelledPng(path, grid, labels, scale, 10 * scale);
  if (timelapse) copyFileSync(path, timelapse);
}
