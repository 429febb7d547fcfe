/**
 * Hard photos for extract (issue 16), built from the shared faces with sharp: turned faces that the whole picture
 * shows too small for BlazeFace, small faces on a large canvas, and faces with a third covered. Each against the
 * truth of where the faces were placed: the count, each face's roll, none found twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { angleApart, collage, matchFaces, type FacePlacement, type TrueFace } from '../testing/collages.js';
import { createDetector } from '../faces/detectors.js';
import type { DetectedFace } from '../faces/detected.js';
import { extract } from './extract.js';
import { testTmp } from '../testing/tmp.js';

const FACES: [string, string][] = [
  ['obama', 'obama_wa_c01_0001.jpg'],
  ['grid_s1', 'grid_s1_bbaf2n_0001.jpg'],
  ['obama', 'obama_wa_c03_0001.jpg'],
  ['grid_s2', 'grid_s2_pwij3p_0001.jpg'],
  ['obama', 'obama_wa_c05_0001.jpg'],
  ['grid_s2', 'grid_s2_swwp2s_0030.jpg'],
  ['obama', 'obama_wa_c07_0001.jpg'],
  ['grid_s1', 'grid_s1_bbaf2n_0040.jpg'],
];
const TURNS = [0, 90, 180, 270, 45, -45, 135, 0];
const degrees = (r: number) => (r * 180) / Math.PI;

/** Every true face found once, with its roll within `rollWithin` degrees, and nothing else found. */
function assertFound(truth: readonly TrueFace[], found: readonly DetectedFace[], rollWithin = 10, what = ''): void {
  const { matched, extra } = matchFaces(truth, found);
  const missed = matched.flatMap((f, i) => (f ? [] : [`${i} (${truth[i]!.side} px, roll ${truth[i]!.roll})`]));
  assert.deepEqual(missed, [], `${what}: every face found`);
  assert.equal(extra.length, 0, `${what}: nothing found where no face was placed`);
  assert.equal(found.length, truth.length, `${what}: no face found twice`);
  for (const [i, f] of matched.entries()) {
    const off = angleApart(degrees(f!.angles.roll), truth[i]!.roll);
    assert.ok(off <= rollWithin, `${what}: face ${i}'s roll is ${off.toFixed(1)} degrees off`);
  }
}

test('both: faces turned every way at 110 px in a 1200 px picture (too small for BlazeFace alone)', async () => {
  const placed: FacePlacement[] = FACES.map((file, i) => ({
    file,
    side: 110,
    angle: TURNS[i]!,
    x: 150 + (i % 4) * 300,
    y: 150 + Math.floor(i / 4) * 300,
  }));
  const { image, truth } = await collage(1200, 600, placed);
  const human = await createDetector({ detector: 'human' }).detect(image);
  assert.ok(human.length < truth.length, `Human alone finds ${human.length} of ${truth.length} (why both exists)`);
  assertFound(truth, await createDetector({ detector: 'both' }).detect(image), 10, 'both');
});

test('both: small faces (40-60 px) turned every way on a 1280 px canvas, found in tiles', async () => {
  const placed: FacePlacement[] = FACES.slice(0, 6).map((file, i) => ({
    file,
    side: 40 + 4 * i,
    angle: TURNS[i]!,
    x: 160 + (i % 3) * 480,
    y: 200 + Math.floor(i / 3) * 400,
  }));
  const { image, truth } = await collage(1280, 800, placed);
  const untiled = await createDetector({ detector: 'both', tiles: 'never' }).detect(image);
  assert.ok(untiled.length < truth.length, `without tiles ${untiled.length} of ${truth.length} are found`);
  assertFound(truth, await createDetector({ detector: 'both' }).detect(image), 10, 'tiles');
});

test('faces with a third covered: found, and less visible than the same faces whole; --min-visibility', async () => {
  const covers = ['top', 'bottom', 'left', 'right'] as const;
  const placed: FacePlacement[] = FACES.map((file, i) => ({
    file,
    side: 150,
    angle: 0,
    x: 150 + (i % 4) * 300,
    y: 160 + Math.floor(i / 4) * 320,
    cover: covers[i % 4],
  }));
  const covered = await collage(1200, 640, placed);
  const whole = await collage(
    1200,
    640,
    placed.map(({ cover, ...p }) => p),
  );
  const both = createDetector({ detector: 'both' });
  const seen = await both.detect(covered.image);
  assertFound(covered.truth, seen, 15, 'covered');
  // the faces are upright: their whole twins are read upright only (the same visibilities, a quarter of the time)
  const clear = await createDetector({ detector: 'both', rotations: false }).detect(whole.image);
  assertFound(whole.truth, clear, 10, 'whole');
  const visible = (faces: DetectedFace[], truth: TrueFace[]) =>
    matchFaces(truth, faces).matched.map((f) => f!.visibility!);
  const [a, b] = [visible(seen, covered.truth), visible(clear, whole.truth)];
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const lower = a.filter((v, i) => v < b[i]!).length;
  assert.ok(lower >= 7, `${lower} of 8 covered faces are less visible than whole (${a} against ${b})`);
  assert.ok(
    mean(a) < mean(b) - 0.1,
    `covered faces ${mean(a).toFixed(2)} visible on average, whole ${mean(b).toFixed(2)}`,
  );

  // extract drops the faces under --min-visibility, and records each face's detector and visibility
  const dir = mkdtempSync(join(testTmp(), 'facegan-covered-'));
  writeFileSync(join(dir, 'covered.png'), covered.png);
  const cut = [...a].sort((x, y) => x - y)[4]!; // the median: about half the faces are under it
  const summary = await extract({
    input: join(dir, 'covered.png'),
    output: join(dir, 'faces'),
    alignments: join(dir, 'a.json'),
    identity: false,
    threads: false, // the face models loaded above serve it
    rotations: false, // upright faces, as above
    minVisibility: cut,
  });
  const expected = a.filter((v) => v >= cut).length;
  assert.ok(expected < 8);
  assert.equal(summary.faces, expected, `--min-visibility ${cut} keeps the ${expected} faces at or over it`);
  const doc = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
  for (const r of doc.frames['covered.png'].faces as { detector: string; visibility: number }[]) {
    assert.equal(r.detector, 'human');
    assert.ok(r.visibility >= cut - 5e-4, `a face of visibility ${r.visibility} is kept at --min-visibility ${cut}`);
  }
  await assert.rejects(
    extract({ input: join(dir, 'covered.png'), output: join(dir, 'x'), detector: 'ssd', minVisibility: 0.5 }),
    /--min-visibility needs a detector with a mesh/,
  );
});
