/**
 * face-api's SSD MobileNet v1 detector with its 68-point landmark net (weights in the npm package), on tfjs-wasm.
 * SSD finds smaller faces than BlazeFace (it reads 512 px, not 256) and finds faces at any turn, but its landmark
 * net fits them upright only: a turned face gets its landmarks from the turn of the picture it scores best in.
 */
import type { RgbImage } from '../core/image.js';
import type { Point } from '../core/geometry/meanface.js';
import { poseFrom68 } from '../core/geometry/landmarks68.js';
import { faceApi } from './face-api.js';
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

  /** Faces found upright in one pass, each with its 68 landmarks. */
  async findUpright(image: RgbImage): Promise<DetectedFace[]> {
    const faceapi = await faceApi('ssdMobilenetv1', 'faceLandmark68Net');
    const input = faceapi.tf.tensor3d(new Float32Array(image.data), [image.height, image.width, 3], 'float32');
    try {
      const found = await faceapi
        .detectAllFaces(
          input,
          new faceapi.SsdMobilenetv1Options({
            minConfidence: this.options.minConfidence ?? 0.5,
            maxResults: this.options.maxFaces ?? 50,
          }),
        )
        .withFaceLandmarks();
      return found.map(({ detection: d, landmarks }) => {
        const lm = landmarks.positions.map((p) => [p.x, p.y] as const);
        return {
          box: [d.box.x, d.box.y, d.box.width, d.box.height],
          score: d.score,
          boxScore: d.score,
          landmarks: lm,
          mesh: [],
          angles: poseFrom68(lm),
          detector: 'ssd' as const,
        };
      });
    } finally {
      input.dispose();
    }
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
