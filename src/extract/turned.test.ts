/**
 * Hard photos for extract (issue 16): faces turned every way in one picture, no face found twice, none found
 * where there is none, and crops named as faceswap names them. The pictures are built here from the shared faces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { sharedData } from '../testing/data.js';
import { HumanDetector } from '../faces/human.js';
import { mergePasses, type DetectedFace } from '../faces/detected.js';
import { extract } from './extract.js';
import type { RgbImage } from '../core/image.js';
import { testTmp } from '../testing/tmp.js';

const TILE = 400;
/** Frames of four people, each turned clockwise by its angle in the collage. */
const TILES = [
  { file: ['grid_s1', 'grid_s1_bbaf2n_0001.jpg'], angle: 0 },
  { file: ['grid_s2', 'grid_s2_pwij3p_0001.jpg'], angle: 90 },
  { file: ['obama', 'obama_wa_c01_0001.jpg'], angle: 180 },
  { file: ['grid_s1', 'grid_s1_bbaf2n_0040.jpg'], angle: 270 },
  { file: ['grid_s2', 'grid_s2_swwp2s_0030.jpg'], angle: 45 },
];

const raw = async (s: Sharp): Promise<RgbImage> => {
  const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
};
const degrees = (radians: number) => (radians * 180) / Math.PI;
/** Distance between two angles in degrees, on the circle. */
const apart = (a: number, b: number) => Math.abs(((((a - b) % 360) + 540) % 360) - 180);

test('a photo with faces at 0, 90, 180, 270 and 45 degrees: each found once, with its true roll', async () => {
  const detector = new HumanDetector({});
  const expected: { x: number; y: number; roll: number }[] = [];
  const tiles: OverlayOptions[] = [];
  for (const [i, t] of TILES.entries()) {
    const frame = sharp(sharedData('faces', ...t.file)).resize({ width: 360 });
    const upright = await detector.detect(await raw(frame.clone()));
    assert.equal(upright.length, 1, `${t.file[1]} shows one face`);
    const [left, top] = [(i % 3) * TILE, Math.floor(i / 3) * TILE];
    expected.push({ x: left + TILE / 2, y: top + TILE / 2, roll: degrees(upright[0]!.angles.roll) + t.angle });
    const input = await frame
      .clone()
      .rotate(t.angle, { background: '#000' })
      .resize(TILE, TILE, { fit: 'contain', background: '#000' })
      .png()
      .toBuffer();
    tiles.push({ input, left, top });
  }
  const collage = sharp({ create: { width: 3 * TILE, height: 2 * TILE, channels: 3, background: '#777' } }).composite(
    tiles,
  );
  const found = await detector.detect(await raw(collage));
  assert.equal(found.length, TILES.length, `${found.length} faces found, none twice`);
  for (const [i, e] of expected.entries()) {
    const face = found.find(
      (f) =>
        Math.floor((f.box[0] + f.box[2] / 2) / TILE) === i % 3 &&
        Math.floor((f.box[1] + f.box[3] / 2) / TILE) === Math.floor(i / 3),
    );
    assert.ok(face, `the face turned ${TILES[i]!.angle} degrees is found`);
    const roll = degrees(face.angles.roll);
    assert.ok(
      apart(roll, e.roll) <= 10,
      `turned ${TILES[i]!.angle}: roll ${roll.toFixed(1)}, expected ${e.roll.toFixed(1)}`,
    );
  }
});

test('no face where there is none: a frame of the rotated clip showing only landscape', async () => {
  const dir = mkdtempSync(join(testTmp(), 'facegan-turned-'));
  const png = join(dir, 'landscape.png');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    sharedData('video', 'new_face_video-90_ccby_aarontang.mp4'),
    '-vf',
    'select=eq(n\\,400)',
    '-frames:v',
    '1',
    png,
  ]);
  const image = await raw(sharp(png));
  assert.ok(image.width > image.height, 'read upright at 640 x 480 (the display matrix is honoured)');
  assert.deepEqual(await new HumanDetector({}).detect(image), []);
});

test("a photo's crops are named STEM_INDEX.png (the stem once)", async () => {
  const dir = mkdtempSync(join(testTmp(), 'facegan-names-'));
  const s = await extract({
    input: sharedData('group', 'obama_biden_official_composite.jpg'),
    output: join(dir, 'faces'),
    alignments: join(dir, 'a.json'),
    identity: false,
  });
  assert.equal(s.faces, 2);
  assert.deepEqual(readdirSync(join(dir, 'faces')).sort(), [
    'obama_biden_official_composite_0.png',
    'obama_biden_official_composite_1.png',
  ]);
});

test('merging passes: one face found in two turns is kept once, nearest upright; faces of one turn stay apart', () => {
  const face = (box: [number, number, number, number], roll: number, boxScore = 0.9): DetectedFace => ({
    box,
    score: 1,
    boxScore,
    landmarks: [],
    mesh: [],
    angles: { yaw: 0, pitch: 0, roll },
    detector: 'human',
  });
  const big = face([0, 0, 200, 200], 0.1),
    small = face([120, 120, 60, 60], 0); // inside the big box, from the same pass: another face
  const sameFaceTurned = face([10, 10, 190, 190], Math.PI / 2);
  const merged = mergePasses([
    { face: sameFaceTurned, pass: 1, tilt: 0.4 },
    { face: big, pass: 0, tilt: 0.1 },
    { face: small, pass: 0, tilt: 0 },
  ]);
  assert.deepEqual(merged, [big, small]);
  // one turn may fit a face twice, the wrong way up and at two sizes: neither is another face (a GRID frame's four
  // turns as Human found them; box score x mesh score as boxScore)
  const upright = face([51, 82, 206, 206], -0.05, 0.94);
  assert.deepEqual(
    mergePasses([
      { face: upright, pass: 0, tilt: 0.05 },
      { face: face([74, 108, 157, 157], -0.1, 0.73), pass: 1, tilt: 1.4 },
      { face: face([104, 180, 109, 108], -3.1, 0.4), pass: 2, tilt: 0.04 },
      { face: face([40, 20, 231, 231], 3.07, 0.49), pass: 2, tilt: 0.07 },
      { face: face([72, 96, 175, 174], 0.12, 0.83), pass: 3, tilt: 1.45 },
    ]),
    [upright],
  );
  // a confident face beats an unsure one of another turn that sits nearer upright (BlazeFace scores a face upside
  // down about half what it scores it upright, while the mesh fits it upright with a roll near 0)
  const unsure = face([5, 5, 195, 195], 0, 0.5);
  assert.deepEqual(
    mergePasses([
      { face: unsure, pass: 2, tilt: 0 },
      { face: big, pass: 0, tilt: 0.3 },
    ]),
    [big],
  );
});
