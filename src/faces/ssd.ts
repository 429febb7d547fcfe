/**
 * face-api's SSD MobileNet v1 detector (run on libtorch: ssd-net.ts) with its 68-point landmark net (tfjs-wasm), the
 * weights of both in the npm package.
 * SSD finds smaller faces than BlazeFace (it reads 512 px, not 256) and finds faces at any turn, but its landmark
 * net fits them upright only: a turned face gets its landmarks from the turn of the picture it scores best in.
 */
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';
import { poseFrom68 } from '../core/geometry/landmarks68.js';
import { copyRegion } from '../core/crop-sample.js';
import { faceApi } from './face-api.js';
import { detectFacesSsd } from './ssd-net.js';
import { mergePasses, type DetectedFace, type DetectorOptions, type FaceDetector } from './detected.js';
import { everyTurn } from './turns.js';
import { findInTiles } from './tiles.js';

export interface SsdOptions extends DetectorOptions {}

/**
 * SSD reads 512 px, and finds faces of about 20 px there: a 40 px face is found in a picture of up to 1024 px, and in
 * a larger one in tiles of 512 (read at their own size), which overlap by more than the faces they are for.
 */
export const SSD_TILING = { tileAbove: 1024, tile: 512, overlap: 128, smallest: 20 / 512 } as const;

/**
 * Whether a still of w x h should be read in tiles as well (`tiles`: auto, always or never). Auto: when it is over
 * `tileAbove` and the whole picture's faces leave room for smaller ones: none was found, or the smallest is under
 * twice the smallest face SSD finds in it. Faces of a picture are mostly of a size (a crowd, a group), so a
 * portrait or a group of large faces is not tiled (a 3072 px photo takes 35 tiles, about 20 s here).
 */
export function wantsTiles(
  w: number,
  h: number,
  found: readonly DetectedFace[],
  tiles: 'auto' | 'always' | 'never' = 'auto',
): boolean {
  const long = Math.max(w, h);
  if (tiles !== 'auto') return tiles === 'always' && long > SSD_TILING.tile;
  if (long <= SSD_TILING.tileAbove) return false;
  const smallest = Math.min(...found.map((f) => Math.max(f.box[2], f.box[3])));
  return !found.length || smallest < 2 * SSD_TILING.smallest * long;
}

export class SsdDetector implements FaceDetector {
  constructor(readonly options: SsdOptions = {}) {}

  /**
   * Faces found upright in one pass, each with its 68 landmarks: SSD on libtorch (ssd-net.ts), then face-api's
   * landmark net on each box as face-api's withFaceLandmarks reads it (the box clipped to the picture and floored,
   * the points put back at the box's own corner).
   */
  async findUpright(image: RgbImage): Promise<DetectedFace[]> {
    const found = await detectFacesSsd(image, this.options.minConfidence ?? 0.5, this.options.maxFaces ?? 50);
    const faces: DetectedFace[] = [];
    for (const { box, score } of found) {
      const [x, y, w, h] = box;
      const x0 = Math.floor(Math.max(x, 0)),
        y0 = Math.floor(Math.max(y, 0));
      const cw = Math.floor(Math.min(x + w - Math.max(x, 0), image.width - Math.max(x, 0))),
        ch = Math.floor(Math.min(y + h - Math.max(y, 0), image.height - Math.max(y, 0)));
      // a box with nothing left inside the picture has no landmarks (face-api drops one such box but then pairs the
      // remaining landmarks with the wrong boxes; here each box keeps its own)
      if (cw <= 0 || ch <= 0) continue;
      const lm = (await chipLandmarks(copyRegion(image, { x0, y0, w: cw, h: ch }))).map(
        ([px, py]) => [px + x, py + y] as const,
      );
      faces.push({ box, score, boxScore: score, landmarks: lm, mesh: [], angles: poseFrom68(lm), detector: 'ssd' });
    }
    return faces;
  }

  /**
   * A still's faces: every turn (`rotations`, default true), and tiles for a large one. A video frame, or a still
   * with `rotations: false`, is read upright only; with `fallback`, turned only where nothing is found upright.
   */
  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const { rotations = true, video } = this.options;
    if (video || !rotations) return this.findUpright(image);
    let quarters = [0, 1, 2, 3];
    if (rotations === 'fallback') {
      const upright = await this.findUpright(image);
      if (upright.length) return upright;
      quarters = [1, 2, 3]; // nothing upright: that turn is not read again
    }
    const all = await everyTurn(image, (t) => this.findUpright(t), '', quarters);
    if (wantsTiles(image.width, image.height, mergePasses(all), this.options.tiles))
      // SSD finds a face at any turn; the tiles are read upright (four turns of every tile would cost 4x)
      all.push(
        ...(await findInTiles(image, SSD_TILING.tile, SSD_TILING.overlap, async (t, tag) =>
          (await this.findUpright(t)).map((face) => ({ face, pass: tag, tilt: Math.abs(face.angles.roll) })),
        )),
      );
    return mergePasses(all);
  }
}

/** face-api's 68 landmarks of the face in a chip (a face cut upright), in the chip's pixels. */
export async function chipLandmarks(chip: RgbImage): Promise<Point[]> {
  const faceapi = await faceApi('faceLandmark68Net');
  const input = faceapi.tf.tensor3d(new Float32Array(chip.data), [chip.height, chip.width, 3], 'float32');
  try {
    const found = await faceapi.nets.faceLandmark68Net.detectLandmarks(input);
    return found.positions.map((p) => [p.x, p.y] as const);
  } finally {
    input.dispose();
  }
}
