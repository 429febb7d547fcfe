/** extract on the shared real faces: counts, alignment accuracy, embedded records, resume and bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { sharedData } from '../testing/data.js';
import sharp from 'sharp';
import { extract } from './extract.js';
import type { Progress } from '../core/progress.js';
import { lockAt, lockFolder } from '../io/lock.js';
import { defaultAlignmentsPath } from '../io/alignments-file.js';
import { canonicalEyes } from '../faces/align.js';
import { HumanDetector } from '../faces/human.js';
import { readImage } from '../media/image.js';
import { readPngText } from '../core/png-text.js';
import { parseAlignments, type EmbeddedFace } from '../core/alignments.js';
import { landmarks68FromMesh, eyeCentres } from '../core/geometry/landmarks68.js';
import { ErrorCodes } from '../core/errors.js';
import { testTmp } from '../testing/tmp.js';

const DATA = `${sharedData()}/`;
const tmp = mkdtempSync(join(testTmp(), 'facegan-extract-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// Counted by eye. The race photo also has about six background runners whose faces are under 25 px: BlazeFace,
// which sees the whole photo at 256 px, cannot find those; the two runners in front are what it must find.
const GROUP_COUNTS: Record<string, number> = {
  'nasa_sts106_crew.jpg': 7,
  'nasa_expedition1_crew.jpg': 3,
  'obama_biden_official_composite.jpg': 2,
  'pixabay_girl-1741925_two_faces.jpg': 2,
  'flickr_race_ccby_petermooney.jpg': 2,
};

test('finds every face in each group photo, and writes one crop and one record per face', async () => {
  const out = join(tmp, 'group');
  const s = await extract({ input: join(DATA, 'group'), output: out, alignments: join(tmp, 'group.json') });
  const doc = parseAlignments(JSON.parse(readFileSync(s.alignments, 'utf8')));
  for (const [file, n] of Object.entries(GROUP_COUNTS)) {
    assert.equal(doc.frames[file]?.faces.length, n, `${file}: ${doc.frames[file]?.faces.length} faces, counted ${n}`);
  }
  assert.equal(s.faces, 16);
  assert.equal(readdirSync(out).length, 16);
  const face = doc.frames['nasa_sts106_crew.jpg']!.faces[0]!;
  assert.equal(face.landmarks.length, 68);
  assert.equal(face.mesh.length, 468);
  assert.ok(face.blur > 0 && face.score > 0.5);
  assert.ok(Math.abs(face.pose.yaw) < 45);
});

test('aligned crops of one clip put the eyes on the canonical spots (re-detected in the crop)', async () => {
  const frames = readdirSync(join(DATA, 'faces/grid_s2'))
    .sort()
    .filter((_, i) => i % 15 === 0); // 10 frames
  const input = join(tmp, 'grid');
  mkdirSync(input);
  for (const f of frames) copyFileSync(join(DATA, 'faces/grid_s2', f), join(input, f));
  const out = join(tmp, 'grid_faces');
  const s = await extract({ input, output: out, alignments: join(tmp, 'grid.json') });
  assert.equal(s.faces, frames.length);
  const detector = new HumanDetector();
  const [left, right] = canonicalEyes(256, 0.625);
  let worst = 0;
  for (const crop of readdirSync(out)) {
    const found = await detector.detect(await readImage(join(out, crop)));
    assert.equal(found.length, 1, crop);
    const [l, r] = eyeCentres(landmarks68FromMesh(found[0]!.mesh));
    worst = Math.max(worst, Math.hypot(l[0] - left[0], l[1] - left[1]), Math.hypot(r[0] - right[0], r[1] - right[1]));
  }
  assert.ok(worst < 6, `an eye centre lies ${worst.toFixed(1)} px from its canonical spot in a 256 px crop`);
});

test('each crop carries its face record, enough to train without the alignments file', async () => {
  const out = join(tmp, 'grid_faces');
  const crop = readdirSync(out)[0]!;
  const embedded = JSON.parse(readPngText(readFileSync(join(out, crop)), 'facegan')!) as EmbeddedFace;
  assert.equal(embedded.schemaVersion, 1);
  assert.equal(embedded.face.crop, crop);
  assert.equal(embedded.face.landmarks.length, 68);
  assert.deepEqual([embedded.frame.width, embedded.frame.height], [360, 288]);
  assert.equal(embedded.crop.size, 256);
  const doc = parseAlignments(JSON.parse(readFileSync(join(tmp, 'grid.json'), 'utf8')));
  assert.deepEqual(doc.frames[embedded.frame.key]!.faces[embedded.faceIndex], embedded.face);
});

test('an interrupted extract resumes without redoing frames', async () => {
  const input = join(tmp, 'grid');
  const detector = 'human'; // resume is the subject here: the fastest detector
  const out = join(tmp, 'resume_faces');
  const alignments = join(tmp, 'resume.json');
  const stop = new AbortController();
  const first = await extract({
    input,
    output: out,
    alignments,
    detector,
    signal: stop.signal,
    onProgress: (p) => p.done === 4 && stop.abort(),
  });
  assert.ok(first.stopped);
  assert.equal(first.processed, 4);
  assert.equal(Object.keys(parseAlignments(JSON.parse(readFileSync(alignments, 'utf8'))).frames).length, 4);
  let last: Progress = { stage: 'extract', done: 0, total: 0, unit: 'frames', rate: 0, eta: 0, figures: { faces: 0 } };
  const second = await extract({
    input,
    output: out,
    alignments,
    detector,
    onProgress: (p) => {
      last = p;
    },
  });
  assert.equal(second.resumed, 4);
  assert.equal(second.processed, 6);
  assert.equal(second.faces, 10);
  assert.deepEqual([last.done, last.figures.faces], [10, 10], "the progress bar ends on the summary's figures");
  assert.equal(readdirSync(out).length, 10);
  // the same input into a new faces folder: keyed on the output, every frame is extracted again
  const other = await extract({ input, output: join(tmp, 'resume_faces_2'), alignments, detector });
  assert.deepEqual([other.resumed, other.processed, other.faces], [0, 10, 10]);
  assert.equal(readdirSync(join(tmp, 'resume_faces_2')).length, 10);
  // crops deleted by hand (the usual clean-up) do not come back when extract runs again on the same folder
  const doc = parseAlignments(JSON.parse(readFileSync(alignments, 'utf8')));
  const [key, frame] = Object.entries(doc.frames).find(([, f]) => f.faces.length)!;
  for (const f of frame.faces) rmSync(join(tmp, 'resume_faces_2', f.crop!));
  const again = await extract({ input, output: join(tmp, 'resume_faces_2'), alignments });
  assert.deepEqual([again.processed, again.resumed], [0, 10], `frame ${key} is kept as cleaned`);
  assert.equal(readdirSync(join(tmp, 'resume_faces_2')).length, 10 - frame.faces.length);
  // the whole folder deleted: nothing of it is left to keep, so every frame is extracted again
  rmSync(join(tmp, 'resume_faces_2'), { recursive: true });
  const redone = await extract({ input, output: join(tmp, 'resume_faces_2'), alignments });
  assert.deepEqual([redone.processed, redone.faces], [10, 10]);
});

test('unreadable and non-image files are reported and skipped; the rest is extracted', async () => {
  const input = join(tmp, 'mixed');
  mkdirSync(input);
  copyFileSync(join(DATA, 'group/obama_biden_official_composite.jpg'), join(input, 'a.jpg'));
  writeFileSync(join(input, 'broken.jpg'), 'not really a jpeg');
  writeFileSync(join(input, 'notes.txt'), 'hello');
  const before = readdirSync(input).map((f) => readFileSync(join(input, f)).toString('base64'));
  const s = await extract({ input, output: join(tmp, 'mixed_faces'), alignments: join(tmp, 'mixed.json') });
  assert.equal(s.faces, 2);
  assert.deepEqual(s.unreadable.map((u) => u.file).sort(), ['broken.jpg', 'notes.txt']);
  assert.match(s.unreadable.find((u) => u.file === 'broken.jpg')!.reason, /not an image facegan can read/);
  assert.deepEqual(
    readdirSync(input).map((f) => readFileSync(join(input, f)).toString('base64')),
    before,
    'inputs untouched',
  );
});

test('bad inputs give clear errors', async () => {
  await assert.rejects(
    extract({ input: join(tmp, 'nope'), output: join(tmp, 'o') }),
    (e: Error & { code?: string }) => e.code === ErrorCodes.BAD_FILE && /No file or folder at .*nope/.test(e.message),
  );
  await assert.rejects(extract({ input: join(tmp, 'grid'), output: join(tmp, 'grid') }), /output folder is the input/);
  // through a link: -o a symlink to the input folder is still the input, and nothing is written into it
  symlinkSync(join(tmp, 'grid'), join(tmp, 'grid-link'));
  const before = readdirSync(join(tmp, 'grid')).sort();
  await assert.rejects(
    extract({ input: join(tmp, 'grid'), output: join(tmp, 'grid-link') }),
    /output folder is the input \(or a link to it\)/,
  );
  assert.deepEqual(readdirSync(join(tmp, 'grid')).sort(), before);
  // one writer per alignments file and per faces folder
  const release = lockAt(`${join(tmp, 'grid.json')}.lock`, 'The alignments file', 'another extract');
  try {
    await assert.rejects(
      extract({ input: join(tmp, 'grid'), output: join(tmp, 'grid_faces_2'), alignments: join(tmp, 'grid.json') }),
      (e: Error & { code?: string }) =>
        e.code === ErrorCodes.USAGE && /alignments file .* is already being written/.test(e.message),
    );
  } finally {
    release();
  }
  const releaseFaces = lockFolder(join(tmp, 'grid_faces'), 'The faces folder', 'another extract');
  try {
    await assert.rejects(
      extract({ input: join(tmp, 'grid'), output: join(tmp, 'grid_faces'), alignments: join(tmp, 'grid-2.json') }),
      /faces folder .* is already being written/,
    );
  } finally {
    releaseFaces();
  }
  // a resume with other crop settings is refused rather than mixing crops
  await assert.rejects(
    extract({
      input: join(tmp, 'grid'),
      output: join(tmp, 'grid_faces'),
      alignments: join(tmp, 'grid.json'),
      size: 128,
    }),
    /made with --size 256 .* resume with the same settings/,
  );
});

test('the alignments file defaults to a file beside the input, never inside it', () => {
  assert.equal(defaultAlignmentsPath('/x/photos/'), '/x/photos.alignments.json');
  assert.equal(defaultAlignmentsPath('/x/clip.mp4'), '/x/clip.alignments.json');
  assert.equal(defaultAlignmentsPath(join(tmp, 'grid')), `${join(tmp, 'grid')}.alignments.json`);
});

test('--filter keeps Obama and drops Biden; --nfilter does the opposite; every face has an identity', async () => {
  const photo = join(DATA, 'group/obama_biden_official_composite.jpg');
  const obama = join(DATA, 'faces/obama/obama_still_official_portrait_2012_souza.jpg');
  const all = await extract({ input: photo, output: join(tmp, 'id_all'), alignments: join(tmp, 'id_all.json') });
  const doc = parseAlignments(JSON.parse(readFileSync(all.alignments, 'utf8')));
  const faces = Object.values(doc.frames)[0]!.faces;
  assert.equal(faces.length, 2);
  assert.ok(
    faces.every((f) => f.identity?.length === 128),
    'a 128-d descriptor per face',
  );
  const left = (f: { box: number[] }) => f.box[0]! < 563; // Obama stands on the left of the composite
  const kept = await extract({
    input: photo,
    output: join(tmp, 'id_keep'),
    alignments: join(tmp, 'id_keep.json'),
    filter: [obama],
  });
  const keptFaces = Object.values(parseAlignments(JSON.parse(readFileSync(kept.alignments, 'utf8'))).frames)[0]!.faces;
  assert.equal(keptFaces.length, 1);
  assert.ok(left(keptFaces[0]!), 'the kept face is Obama');
  assert.equal(kept.filtered, 1);
  const dropped = await extract({
    input: photo,
    output: join(tmp, 'id_drop'),
    alignments: join(tmp, 'id_drop.json'),
    nfilter: [obama],
  });
  const droppedFaces = Object.values(parseAlignments(JSON.parse(readFileSync(dropped.alignments, 'utf8'))).frames)[0]!
    .faces;
  assert.equal(droppedFaces.length, 1);
  assert.ok(!left(droppedFaces[0]!), 'the face left is Biden');
  await assert.rejects(
    extract({
      input: photo,
      output: join(tmp, 'id_bad'),
      alignments: join(tmp, 'id_bad.json'),
      filter: [join(DATA, 'video/../SOURCES.md')],
    }),
    /not an image|No face/,
  );
});

test('faces upside down or on their side are found, and their crops come out upright', async () => {
  const { rotateQuarters } = await import('../core/image.js');
  const { writePng } = await import('../media/image.js');
  const upright = await readImage(join(DATA, 'group/obama_biden_official_composite.jpg'));
  const dir = join(tmp, 'turned');
  mkdirSync(dir, { recursive: true });
  for (const q of [0, 1, 2]) await writePng(join(dir, `turned_${q}.png`), rotateQuarters(upright, q));
  const s = await extract({
    input: dir,
    output: join(tmp, 'turned-faces'),
    alignments: join(tmp, 'turned.json'),
    identity: false,
  });
  const doc = parseAlignments(JSON.parse(readFileSync(s.alignments, 'utf8')));
  const crops = (q: number) => doc.frames[`turned_${q}.png`]!.faces.map((f) => f.crop!).sort();
  assert.equal(crops(2).length, 2, 'upside down: both faces');
  assert.ok(crops(1).length >= 1, 'a quarter turn: at least one face');
  const rolls = doc.frames['turned_2.png']!.faces.map((f) => Math.abs(f.pose.roll));
  assert.ok(
    rolls.every((r) => r > 150),
    `upside-down faces have a roll near 180: ${rolls}`,
  );
  // the crop of an upside-down face matches the crop of the same face upright
  const mean = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  for (let i = 0; i < 2; i++) {
    const [a, b] = [await readImage(join(s.output, crops(0)[i]!)), await readImage(join(s.output, crops(2)[i]!))];
    assert.ok(
      mean(a.data, b.data) < 12,
      `face ${i}: upright and upside-down crops differ by ${mean(a.data, b.data).toFixed(1)} levels`,
    );
  }
});

const cropNamesTitle =
  'crop names never collide: face.jpg beside face.png, and a second folder with the same names into one -o';
test(cropNamesTitle, async () => {
  const grid = readdirSync(join(DATA, 'faces/grid_s1')).sort();
  const one = join(tmp, 'names-1'),
    two = join(tmp, 'names-2'),
    out = join(tmp, 'names-faces');
  mkdirSync(one);
  mkdirSync(two);
  copyFileSync(join(DATA, 'faces/grid_s1', grid[0]!), join(one, 'face.jpg'));
  await sharp(join(DATA, 'faces/grid_s2', readdirSync(join(DATA, 'faces/grid_s2')).sort()[0]!))
    .png()
    .toFile(join(one, 'face.png'));
  copyFileSync(join(DATA, 'faces/grid_s1', grid[40]!), join(two, 'face.jpg'));
  const first = await extract({ input: one, output: out, alignments: join(tmp, 'names-1.json'), identity: false });
  assert.equal(first.faces, 2);
  const crops = () =>
    readdirSync(out)
      .filter((f) => f.endsWith('.png'))
      .sort();
  assert.equal(crops().length, 2, `two crops, two names: ${crops().join(', ')}`);
  const before = new Map(crops().map((f) => [f, readFileSync(join(out, f)).toString('base64')]));
  await extract({ input: two, output: out, alignments: join(tmp, 'names-2.json'), identity: false });
  assert.equal(crops().length, 3, `the second folder's face.jpg gets its own name: ${crops().join(', ')}`);
  for (const [f, bytes] of before)
    assert.equal(readFileSync(join(out, f)).toString('base64'), bytes, `${f} is not replaced`);
  const doc = parseAlignments(JSON.parse(readFileSync(join(tmp, 'names-2.json'), 'utf8')));
  const crop = doc.frames['face.jpg']!.faces[0]!.crop!;
  assert.ok(!before.has(crop) && crops().includes(crop), `the alignments file names the new crop (${crop})`);
});
