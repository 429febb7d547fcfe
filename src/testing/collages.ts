/**
 * Hard pictures for the face detectors, built from the shared faces with sharp: faces cut from real photos and
 * frames, scaled, turned, partly covered and placed on a canvas, with where each face is and its true roll.
 */
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import type { RgbImage } from '../core/image.js';
import { HumanDetector } from '../faces/human.js';
import { sharedData } from './data.js';

export interface FacePlacement {
  /** A file under shared/data/faces: [folder, name]. */
  file: [string, string];
  /** The face's box side in the picture (Human's box, brows to chin and cheek to cheek), px. */
  side: number;
  /** Clockwise turn, degrees. */
  angle: number;
  /** Where the face's centre goes. */
  x: number;
  y: number;
  /** A flat grey patch over this third of the face (its landmarks' box, brows to chin), before the turn. */
  cover?: 'top' | 'bottom' | 'left' | 'right';
}

export interface TrueFace {
  x: number;
  y: number;
  side: number;
  /** Roll in degrees, as the detectors report it (the face's own upright roll plus the turn). */
  roll: number;
}

const raw = async (s: Sharp): Promise<RgbImage> => {
  const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
};

let detector: HumanDetector | undefined;

/** A face cut square around its box (twice its side), scaled so that the box is `side` px, turned and covered. */
async function cutFace(p: FacePlacement): Promise<{ input: Buffer; size: number; roll: number }> {
  const source = sharp(sharedData('faces', ...p.file)).resize({ width: 640, height: 640, fit: 'inside' });
  const image = await raw(source.clone());
  detector ??= new HumanDetector({ rotations: false, maxFaces: 1 });
  const [face] = await detector.detect(image);
  if (!face) throw new Error(`no upright face in ${p.file.join('/')} to build a collage from`);
  const [bx, by, bw, bh] = face.box;
  const boxSide = Math.max(bw, bh);
  const half = Math.round(boxSide);
  const cx = Math.round(bx + bw / 2),
    cy = Math.round(by + bh / 2);
  // the square around the face, padded with grey where it leaves the photo
  // (sharp extracts before it extends in one pipeline: the padded image is made first)
  const padded = sharp(
    await sharp(await source.png().toBuffer())
      .extend({ top: half, bottom: half, left: half, right: half, background: '#808080' })
      .png()
      .toBuffer(),
  );
  let crop = await padded
    .extract({ left: cx, top: cy, width: 2 * half, height: 2 * half })
    .png()
    .toBuffer();
  if (p.cover) {
    // a third of the face itself: the box of its 68 landmarks (brows to chin, cheek to cheek), in crop pixels
    const xs = face.landmarks.map((q) => q[0] - cx + half),
      ys = face.landmarks.map((q) => q[1] - cy + half);
    const [l, t] = [Math.round(Math.min(...xs)), Math.round(Math.min(...ys))];
    const [w, h] = [Math.round(Math.max(...xs)) - l, Math.round(Math.max(...ys)) - t];
    const r = {
      top: { left: l, top: t, width: w, height: Math.round(h / 3) },
      bottom: { left: l, top: t + h - Math.round(h / 3), width: w, height: Math.round(h / 3) },
      left: { left: l, top: t, width: Math.round(w / 3), height: h },
      right: { left: l + w - Math.round(w / 3), top: t, width: Math.round(w / 3), height: h },
    }[p.cover];
    crop = await sharp(crop)
      .composite([
        { input: { create: { width: r.width, height: r.height, channels: 3, background: '#6a6a6a' } }, ...r },
      ])
      .png()
      .toBuffer();
  }
  const scale = p.side / boxSide;
  const size = Math.max(2, Math.round(2 * half * scale));
  const scaled = await sharp(crop).resize(size, size).png().toBuffer();
  const turned = await sharp(scaled).rotate(p.angle, { background: '#808080' }).png().toBuffer();
  const { width = size } = await sharp(turned).metadata();
  return { input: turned, size: width, roll: (face.angles.roll * 180) / Math.PI + p.angle };
}

/**
 * A picture of `width` x `height` (on `background`, a file, or grey) with the faces placed, and the truth about each.
 */
export async function collage(
  width: number,
  height: number,
  faces: readonly FacePlacement[],
  background?: string,
): Promise<{ image: RgbImage; png: Buffer; truth: TrueFace[] }> {
  const layers: OverlayOptions[] = [];
  const truth: TrueFace[] = [];
  for (const p of faces) {
    const cut = await cutFace(p);
    layers.push({ input: cut.input, left: Math.round(p.x - cut.size / 2), top: Math.round(p.y - cut.size / 2) });
    truth.push({ x: p.x, y: p.y, side: p.side, roll: cut.roll });
  }
  const base = background
    ? sharp(background).resize(width, height, { fit: 'cover' })
    : sharp({ create: { width, height, channels: 3, background: '#777' } });
  const png = await sharp(await base.png().toBuffer())
    .composite(layers)
    .png()
    .toBuffer();
  return { image: await raw(sharp(png)), png, truth };
}

/** Distance between two angles in degrees, on the circle. */
export const angleApart = (a: number, b: number): number => Math.abs(((((a - b) % 360) + 540) % 360) - 180);

/** Which found face (box [x, y, w, h], roll in radians) is each true face's: the one whose box holds its centre. */
export function matchFaces<F extends { box: readonly number[] }>(
  truth: readonly TrueFace[],
  found: readonly F[],
): { matched: (F | undefined)[]; extra: F[] } {
  const inside = (f: F, t: TrueFace) =>
    t.x >= f.box[0]! && t.x <= f.box[0]! + f.box[2]! && t.y >= f.box[1]! && t.y <= f.box[1]! + f.box[3]!;
  const matched = truth.map((t) => found.find((f) => inside(f, t)));
  const extra = found.filter((f) => !truth.some((t) => inside(f, t)));
  return { matched, extra };
}
