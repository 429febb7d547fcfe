/**
 * Large photos in tiles: a detector reads a picture shrunk to its input (BlazeFace 256 px, SSD 512 px), so the
 * small faces of a large photo vanish. Overlapping tiles are read one by one; a face cut by a tile's inner edge is
 * left to the tile beside it, which holds it whole (tiles overlap by more than the faces a tile is for).
 */
import type { RgbImage } from '../core/image.js';
import { copyRegion } from '../core/crop-sample.js';
import type { DetectedFace, PassDetection } from './detected.js';

/** Tile origins along one side: tiles of `tile` px stepping by `tile - overlap`, the last flush with the edge. */
function starts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const out: number[] = [];
  for (let s = 0; s + tile < size; s += tile - overlap) out.push(s);
  out.push(size - tile);
  return out;
}

/** Moves a face found in a region at (dx, dy) into the image's coordinates. */
export function shiftFace(f: DetectedFace, dx: number, dy: number): DetectedFace {
  return {
    ...f,
    box: [f.box[0] + dx, f.box[1] + dy, f.box[2], f.box[3]],
    landmarks: f.landmarks.map(([x, y]) => [x + dx, y + dy] as const),
    mesh: f.mesh.map(([x, y, z]) => [x + dx, y + dy, z] as [number, number, number]),
  };
}

/**
 * The detections of `find` in every tile of `tile` px (overlapping by `overlap`), in image coordinates. A face whose
 * box comes within `margin` px of an inner edge of its tile is dropped: it is cut, and whole in a neighbour.
 */
export async function findInTiles(
  image: RgbImage,
  tile: number,
  overlap: number,
  find: (tile: RgbImage, tag: string) => Promise<PassDetection[]>,
  margin = 2,
): Promise<PassDetection[]> {
  const xs = starts(image.width, tile, overlap),
    ys = starts(image.height, tile, overlap);
  const out: PassDetection[] = [];
  for (const [j, y0] of ys.entries()) {
    for (const [i, x0] of xs.entries()) {
      const w = Math.min(tile, image.width - x0),
        h = Math.min(tile, image.height - y0);
      const inner = { left: x0 > 0, top: y0 > 0, right: x0 + w < image.width, bottom: y0 + h < image.height };
      for (const d of await find(copyRegion(image, { x0, y0, w, h }), `tile${i},${j}:`)) {
        const [bx, by, bw, bh] = d.face.box;
        const cut =
          (inner.left && bx < margin) ||
          (inner.top && by < margin) ||
          (inner.right && bx + bw > w - margin) ||
          (inner.bottom && by + bh > h - margin);
        if (!cut) out.push({ ...d, face: shiftFace(d.face, x0, y0) });
      }
    }
  }
  return out;
}
