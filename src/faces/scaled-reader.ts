/**
 * Video frames read by the face detector scaled down while every face in them is large. Human's mesh reads a face
 * at 192 px and BlazeFace the whole picture at 256, so a 720p frame whose face is 600 px wide tells them nothing
 * that the same frame at half size does not; but every whole-picture pass Human makes (its input, its change test)
 * costs in proportion to the frame. Read at half size, such a frame takes 19 ms instead of 38, and its landmarks move
 * by 2.3 px of 600 (Human's own framing of one face, tracked or detected afresh, moves them 2.6).
 *
 * The scale is that of the faces found last; frames are scaled here, in the caller's thread, and passed on in the
 * order asked (a tracker reads frames in order).
 */
import type { RgbImage } from '../core/image.js';
import { resizeRgb } from '../media/image.js';
import type { DetectedFace, FaceDetector } from './detected.js';

/** Faces are read at no less than this side (their box, which is what Human's mesh reads at 192 px): 1.5x more. */
export const MESH_DETAIL = 288;
/** The least a frame is scaled to, as its longer side. */
const MIN_READ_SIDE = 512;

export class ScaledReader implements FaceDetector {
  #scale = 1;
  /** The last frame handed on: the next is handed on after it. */
  #sent: Promise<unknown> = Promise.resolve();

  constructor(private readonly inner: FaceDetector) {}

  /** The scale the next frame is read at. */
  get scale(): number {
    return this.#scale;
  }

  detect(image: RgbImage): Promise<DetectedFace[]> {
    const s = this.#scale;
    const ready = Promise.all([this.#sent, s < 1 ? scaleImage(image, s) : image]);
    // (settled to nothing: each frame's value would otherwise hold the one before, and so every frame read)
    this.#sent = ready.then(
      () => undefined,
      () => undefined,
    );
    return ready
      .then(([, read]) => this.inner.detect(read))
      .then((found) => {
        const faces = s < 1 ? found.map((f) => scaleFace(f, 1 / s)) : found;
        this.#scale = readScale(faces, image.width, image.height, this.#scale);
        return faces;
      });
  }
}

/**
 * The scale to read the next frame at: as small as keeps the smallest face MESH_DETAIL px wide, in steps of 0.1
 * (rounded up), never under MIN_READ_SIDE for the longer side; 1 with no face (a face may be coming in small). It
 * rises as soon as a face needs more, and falls only by two steps or more, so that a face near a step does not make
 * frame after frame a fresh read (a new size restarts Human's tracker).
 */
export function readScale(faces: readonly DetectedFace[], width: number, height: number, current = 1): number {
  if (!faces.length) return 1;
  const smallest = Math.min(...faces.map((f) => Math.min(f.box[2], f.box[3])));
  const floor = Math.min(1, MIN_READ_SIDE / Math.max(width, height));
  const wanted = Math.min(1, Math.max(floor, Math.ceil((MESH_DETAIL / smallest) * 10) / 10));
  return wanted > current || wanted <= current - 0.2 + 1e-9 ? wanted : current;
}

/** A face's coordinates times k (a face found in a scaled picture, in the picture's own pixels). */
export function scaleFace(f: DetectedFace, k: number): DetectedFace {
  return {
    ...f,
    box: f.box.map((v) => v * k) as DetectedFace['box'],
    landmarks: f.landmarks.map(([x, y]) => [x * k, y * k]),
    mesh: f.mesh.map(([x, y, z]) => [x * k, y * k, z * k]),
  };
}

/** The image scaled by s (< 1), area-averaged: what a smaller frame of the same video would be. */
function scaleImage(image: RgbImage, s: number): Promise<RgbImage> {
  return resizeRgb(
    image,
    Math.max(1, Math.round(image.width * s)),
    Math.max(1, Math.round(image.height * s)),
    'linear',
  );
}
