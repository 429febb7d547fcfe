/**
 * The face detectors `facegan extract --detector ID` knows. The id is the same on the command line, in code
 * (`extract({ detector })`) and in the alignments file (`detector` per face, and the file's `detector`). Adding a
 * detector is one entry here.
 */
import type { RgbImage } from '../core/image.js';
import { HumanDetector } from './human.js';
import { SsdDetector } from './ssd.js';
import { CombinedDetector } from './combined.js';
import { faceVisibility } from './visibility.js';
import type { DetectedFace, DetectorId, DetectorOptions, FaceDetector } from './detected.js';

export interface DetectorEntry {
  description: string;
  /** Whether its faces have a mesh, and so a visibility (--min-visibility). */
  meshes: boolean;
  create(options: DetectorOptions): FaceDetector;
}

/** Human's faces, with their visibility measured when asked for. */
class MeasuredHuman implements FaceDetector {
  #human: HumanDetector;
  constructor(readonly options: DetectorOptions) {
    this.#human = new HumanDetector(options);
  }
  warm(): Promise<void> {
    return this.#human.load();
  }
  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const faces = await this.#human.detect(image);
    if (this.options.visibility) for (const f of faces) f.visibility = await faceVisibility(image, f.landmarks);
    return faces;
  }
}

export const DETECTORS: Record<DetectorId, DetectorEntry> = {
  human: {
    description: "Human's BlazeFace and 468-point mesh (fast; finds faces of about 1/10 of the picture and up)",
    meshes: true,
    create: (o) => new MeasuredHuman(o),
  },
  ssd: {
    description: "face-api's SSD MobileNet v1 and 68-point net (small faces; turned faces less well; no mesh)",
    meshes: false,
    create: (o) => new SsdDetector(o),
  },
  both: {
    description: 'Human, and SSD for the faces Human missed (small faces; tiles for large photos), with visibility',
    meshes: true,
    create: (o) => new CombinedDetector(o),
  },
};

/**
 * The detector `options.detector` names (default human), answering one frame at a time in the order asked: its
 * state (a video's tracker, the turn it reads at) belongs to one frame after another, and extract asks for the next
 * frame's faces before it has cut the last one's.
 */
export function createDetector(options: DetectorOptions): FaceDetector {
  const detector = DETECTORS[options.detector ?? 'human'].create(options);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    detect(image) {
      const found = queue.then(() => detector.detect(image));
      queue = found.catch(() => undefined);
      return found;
    },
    warm() {
      const warmed = queue.then(() => detector.warm?.());
      queue = warmed.catch(() => undefined);
      return warmed;
    },
  };
}
