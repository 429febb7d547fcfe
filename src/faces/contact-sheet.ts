/**
 * A contact sheet of a faces folder: the crops side by side in a grid, each with its 68 landmarks drawn (from the
 * record it carries), so that a glance shows whether extraction went right. One JPEG.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../io/atomic.js';
import { faceFileNames, readFaceCropOrSkip } from './crop-file.js';

export interface SheetOptions {
  /** Most faces shown (spread evenly over the folder). */
  max?: number;
  /** Side of each tile, pixels. */
  tile?: number;
  columns?: number;
}

/** Writes the sheet to `path`; returns how many faces it shows. */
export async function writeContactSheet(facesDir: string, path: string, o: SheetOptions = {}): Promise<number> {
  const max = o.max ?? 64,
    tile = o.tile ?? 128,
    columns = o.columns ?? 8;
  const files = faceFileNames(facesDir);
  const n = Math.min(max, files.length);
  const chosen = Array.from({ length: n }, (_, i) => files[Math.floor((i * files.length) / n)]!);
  if (!chosen.length) return 0;
  const tiles = [];
  for (const [i, file] of chosen.entries()) {
    const crop = await readFaceCropOrSkip(join(facesDir, file), []); // a sheet leaves a bad file's tile black
    if (!crop) continue;
    const k = tile / crop.image.width;
    const dots = (crop.landmarks ?? [])
      .map(([x, y]) => `<circle cx="${x * k}" cy="${y * k}" r="1.5" fill="#0f0"/>`)
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${tile}" height="${tile}">${dots}</svg>`;
    const input = await sharp(
      Buffer.from(crop.image.data.buffer, crop.image.data.byteOffset, crop.image.data.byteLength),
      { raw: { width: crop.image.width, height: crop.image.height, channels: 3 } },
    )
      .resize(tile, tile)
      .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
      .png()
      .toBuffer();
    tiles.push({ input, left: (i % columns) * tile, top: Math.floor(i / columns) * tile });
  }
  const rows = Math.ceil(chosen.length / columns);
  const jpeg = await sharp({
    create: { width: Math.min(columns, chosen.length) * tile, height: rows * tile, channels: 3, background: '#000' },
  })
    .composite(tiles)
    .jpeg({ quality: 85 })
    .toBuffer();
  writeFileAtomic(path, [jpeg]);
  return chosen.length;
}
