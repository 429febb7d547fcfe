/**
 * `--detector both`: Human (BlazeFace + mesh) and face-api's SSD together. Human finds the faces it can at every
 * turn and gives them its mesh; SSD, which reads 512 px and finds faces at any turn, proposes the faces Human missed
 * (small ones, and in large photos those found only in tiles). Each proposal is read again by Human on a crop around
 * it, where it is large, at every turn: a face Human then meshes is kept with its mesh and true roll; one it still
 * does not is kept with SSD's landmarks. Every meshed face gets a visibility (faces/visibility.ts); one only SSD
 * saw gets 0.
 */
import type { RgbImage } from '../core/image.js';
import { copyRegion } from '../core/crop-sample.js';
import { boxIou, boxOverlapOfSmaller } from '../core/geometry/box.js';
import { HumanDetector } from './human.js';
import { SsdDetector, SSD_TILING, wantsTiles } from './ssd.js';
import {
  byAreaDescending,
  mergePasses,
  SAME_FACE_OVERLAP,
  type DetectedFace,
  type DetectorOptions,
  type FaceDetector,
} from './detected.js';
import { findInTiles, shiftFace } from './tiles.js';
import { everyTurn } from './turns.js';
import { faceVisibility } from './visibility.js';

/** The crop around a proposal that Human reads: this many times the proposal's box. */
const CROP_SCALE = 3;
/**
 * SSD's confidence for a proposal: Human checks each one, so proposals may be unsure (a covered face scores 0.3-0.5);
 * a face only SSD finds is kept at the detector's usual confidence (0.5) or above.
 */
const PROPOSAL_CONFIDENCE = 0.3;
/** BlazeFace's confidence under which a face of the whole picture is read again on a crop (upright: 0.75-0.95). */
const UNSURE_BOX = 0.7;

export class CombinedDetector implements FaceDetector {
  #human: HumanDetector;
  /** Proposals: SSD upright (it finds faces at any turn), in tiles for a large still. */
  #ssd: SsdDetector;
  /** Human for the crops around proposals: a still's search (every turn), whatever the input. */
  #crops: HumanDetector;
  #calls = 0;

  constructor(readonly options: DetectorOptions = {}) {
    this.#human = new HumanDetector(options);
    this.#ssd = new SsdDetector({ ...options, rotations: false, minConfidence: PROPOSAL_CONFIDENCE });
    // crops are read at every turn unless told not to (--no-rotations: upright only)
    const turns = options.rotations !== false;
    const same = !options.video && (options.rotations ?? true) === turns;
    this.#crops = same ? this.#human : new HumanDetector({ ...options, video: false, rotations: turns });
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const faces = await this.#human.detect(image);
    // a face read at one turn only, with low confidence, may be fitted the wrong way up: read it again on a crop
    // around it, where it is large and found at several turns (their vote settles which way up it is)
    if (!this.options.video)
      for (const [i, f] of faces.entries())
        if (f.boxScore < UNSURE_BOX) faces[i] = (await this.#meshAround(image, f)) ?? f;
    // a video's frames get SSD's proposals on the full-detection frames only (it costs as much as Human's tracking)
    const every = this.options.video ? (this.options.redetectEvery ?? 10) : 1;
    if (this.#calls++ % every === 0) {
      for (const p of await this.#proposals(image, faces)) {
        if (faces.some((f) => boxOverlapOfSmaller(f.box, p.box) >= SAME_FACE_OVERLAP)) continue;
        const meshed = await this.#meshAround(image, p);
        // (the crop may show a face already kept beside the proposal's: not a second one)
        if (meshed && faces.some((f) => boxOverlapOfSmaller(f.box, meshed.box) >= SAME_FACE_OVERLAP)) continue;
        if (meshed) faces.push(meshed);
        else if (p.score >= (this.options.minConfidence ?? 0.5)) faces.push({ ...p, visibility: 0 });
      }
    }
    const kept = faces.sort(byAreaDescending).slice(0, this.options.maxFaces ?? 50);
    for (const f of kept) if (f.detector === 'human') f.visibility ??= await faceVisibility(image, f.landmarks);
    return kept;
  }

  async #proposals(image: RgbImage, meshed: readonly DetectedFace[]): Promise<DetectedFace[]> {
    const whole = await this.#ssd.findUpright(image);
    if (this.options.video || !wantsTiles(image.width, image.height, [...meshed, ...whole], this.options.tiles))
      return whole;
    // small faces turned far from upright are missed by SSD upright: each tile is read at the four turns
    const tiles = await findInTiles(image, SSD_TILING.tile, SSD_TILING.overlap, async (tile, tag) =>
      this.options.rotations === false
        ? (await this.#ssd.findUpright(tile)).map((face) => ({ face, pass: tag, tilt: 0 }))
        : everyTurn(tile, (t) => this.#ssd.findUpright(t), tag),
    );
    // the whole picture's proposals first; a tile's that overlaps one is the same face. A face read in several tiles
    // and turns is one proposal, the one mergePasses picks (the turn's vote, nearest upright), not the first read
    const out = [...whole];
    for (const face of mergePasses(tiles))
      if (out.every((f) => boxOverlapOfSmaller(f.box, face.box) < SAME_FACE_OVERLAP)) out.push(face);
    return out;
  }

  /** Human's face in a crop around an SSD proposal, in the image's coordinates, if Human finds one there. */
  async #meshAround(image: RgbImage, p: DetectedFace): Promise<DetectedFace | undefined> {
    const side = Math.max(p.box[2], p.box[3]) * CROP_SCALE;
    const cx = p.box[0] + p.box[2] / 2,
      cy = p.box[1] + p.box[3] / 2;
    const x0 = Math.max(0, Math.round(cx - side / 2)),
      y0 = Math.max(0, Math.round(cy - side / 2));
    const w = Math.min(image.width, Math.round(cx + side / 2)) - x0,
      h = Math.min(image.height, Math.round(cy + side / 2)) - y0;
    if (w < 8 || h < 8) return undefined;
    const found = (await this.#crops.detect(copyRegion(image, { x0, y0, w, h }))).map((f) => shiftFace(f, x0, y0));
    // the face that matches the proposal best (a larger neighbour may overlap it too)
    const near = found.filter((f) => boxOverlapOfSmaller(f.box, p.box) >= SAME_FACE_OVERLAP);
    return near.sort((a, b) => boxIou(b.box, p.box) - boxIou(a.box, p.box))[0];
  }
}
