/**
 * Decoded faces held once in shared memory, so that every data worker reads the same pixels instead of decoding its
 * own copy of the faceset (memory then no longer grows with the workers a GPU is given: docs/engine.md).
 */
import type { Point } from '../core/geometry/meanface.js';
import type { FaceSource } from './augment.js';

/** A faceset's pixels in one SharedArrayBuffer, with where each face lies in it; structured-clones without copying. */
export interface SharedFaces {
  pixels: SharedArrayBuffer;
  faces: { width: number; height: number; offset: number; landmarks?: readonly Point[] }[];
}

/** Copies the faces' pixels into one shared buffer. */
export function shareFaces(faces: readonly FaceSource[]): SharedFaces {
  const bytes = faces.reduce((n, f) => n + f.image.data.length, 0);
  const pixels = new SharedArrayBuffer(bytes);
  const view = new Uint8Array(pixels);
  let offset = 0;
  const out: SharedFaces['faces'] = [];
  for (const f of faces) {
    view.set(f.image.data, offset);
    const { width, height } = f.image;
    out.push(f.landmarks ? { width, height, offset, landmarks: f.landmarks } : { width, height, offset });
    offset += f.image.data.length;
  }
  return { pixels, faces: out };
}

/** The faces as views on the shared buffer (nothing copied). */
export function sharedFaceSources(shared: SharedFaces): FaceSource[] {
  return shared.faces.map(({ width, height, offset, landmarks }) => {
    const image = { width, height, data: new Uint8Array(shared.pixels, offset, width * height * 3) };
    return landmarks ? { image, landmarks } : { image };
  });
}
