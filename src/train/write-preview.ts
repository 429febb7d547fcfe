/** Runs the preview faces through the model and writes the labelled grid (and a time-lapse frame when asked). */
import { copyFileSync } from 'node:fs';
import { tensor, tidy, noGrad, type Device, type Tensor } from '../engine/index.js';
import type { PairAutoencoder } from '../models/autoencoder.js';
import { writeLabelledPng } from '../media/image.js';
import { PREVIEW_COLUMNS, cellOrigin, previewGrid } from './preview.js';
import type { Batch, Side } from './batches.js';

const HEADER = 12;

/** The six cells of each preview row as planar float arrays: A, A->A, A->B, B, B->B, B->A. */
export function previewCells(model: PairAutoencoder, previews: Record<Side, Batch>, size: number, device: Device): (Float32Array | undefined)[][] {
  const plane = 3 * size * size;
  const run = (b: Batch, side: Side): Float32Array[] => {
    const n = b.faces.length;
    const out = noGrad(() => tidy(() => {
      const x: Tensor = tensor(b.target, { shape: [n, 3, size, size] }).to({ device });
      return model.forward(x, side).narrow(1, 0, 3).contiguous().to({ device: 'cpu', dtype: 'float32' }).data() as Float32Array;
    }));
    return Array.from({ length: n }, (_, i) => out.slice(i * plane, (i + 1) * plane));
  };
  const split = (b: Batch) => Array.from({ length: b.faces.length }, (_, i) => b.target.slice(i * plane, (i + 1) * plane));
  const a = split(previews.a), b = split(previews.b);
  const aa = run(previews.a, 'a'), ab = run(previews.a, 'b'), bb = run(previews.b, 'b'), ba = run(previews.b, 'a');
  const rows = Math.max(a.length, b.length);
  return Array.from({ length: rows }, (_, r) => [a[r], aa[r], ab[r], b[r], bb[r], ba[r]]);
}

export async function writePreview(model: PairAutoencoder, previews: Record<Side, Batch>, size: number, device: Device, path: string, timelapse?: string): Promise<void> {
  const wasTraining = model.training;
  model.eval();
  try {
    const grid = previewGrid(previewCells(model, previews, size, device), size, HEADER);
    const scale = Math.max(1, Math.round(128 / size));
    const labels = PREVIEW_COLUMNS.map((text, c) => ({ text: text.replace('>', ' > '), x: (cellOrigin(0, c, size, 0)[0] + size / 2) * scale, y: (HEADER - 2) * scale }));
    await writeLabelledPng(path, grid, labels, scale, 10 * scale);
    if (timelapse) copyFileSync(path, timelapse);
  } finally {
    model.train(wasTraining);
  }
}
