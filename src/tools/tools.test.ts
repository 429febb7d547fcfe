/** faces sort, alignments list/remove/draw and the contact sheet, on faces extracted from the shared photos. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { extractedFaces, extractedFixture, testTmp } from '../testing/faces.js';
import { sharedData } from '../testing/data.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { readAlignmentsFile } from '../io/alignments-file.js';
import { readFaceCrop } from '../faces/crop-file.js';
import { writeContactSheet } from '../faces/contact-sheet.js';
import { sortFaces } from './sort-faces.js';
import { drawAlignments, listAlignments, removeMissingFaces } from './alignments-tools.js';
import { addPngText } from '../core/png-text.js';
import type { Skipped } from '../core/warnings.js';
import { folderFaces } from '../eval/identities.js';
import { HumanDetector } from '../faces/human.js';

const bin = fileURLToPath(new URL('../../bin/facegan.js', import.meta.url));
const usage = (e: unknown) => e instanceof FaceganError && e.code === ErrorCodes.USAGE;

const facesSortTitle =
  'faces sort: by identity another person comes last; blur, size and yaw order by their values; the input is untouched';
test(facesSortTitle, {
  timeout: 300_000,
}, async () => {
  const [s1, obama] = [await extractedFaces('grid_s1', 8), await extractedFaces('obama', 2)];
  const mixed = join(testTmp(), 'mixed-faces');
  mkdirSync(mixed, { recursive: true });
  for (const f of readdirSync(s1)) copyFileSync(join(s1, f), join(mixed, f));
  for (const f of readdirSync(obama)) copyFileSync(join(obama, f), join(mixed, `z_${f}`));
  const before = readdirSync(mixed).map((f) => [f, readFileSync(join(mixed, f)).length]);
  const r = await sortFaces(mixed, join(testTmp(), 'sorted-identity'), 'identity');
  assert.equal(r.order.length, 10);
  assert.ok(
    r.order.slice(-2).every((o) => o.file.startsWith('z_obama')),
    `last: ${r.order.slice(-2).map((o) => o.file)}`,
  );
  const out = readdirSync(r.output).sort();
  assert.equal(out.length, 10);
  assert.ok(out[0]!.startsWith('01_') && out[9]!.startsWith('10_z_obama'), out.join(' '));
  assert.ok((await readFaceCrop(join(r.output, out[0]!))).record, 'the copies keep their records');
  assert.deepEqual(
    readdirSync(mixed).map((f) => [f, readFileSync(join(mixed, f)).length]),
    before,
    'the input folder is unchanged',
  );
  for (const [by, sign] of [
    ['blur', -1],
    ['size', -1],
    ['yaw', 1],
  ] as const) {
    const v = (await sortFaces(mixed, join(testTmp(), `sorted-${by}`), by)).order.map((o) => o.value!);
    assert.ok(
      v.every((x, i) => i === 0 || sign * (x - v[i - 1]!) >= 0),
      `${by}: ${v.map((x) => x.toFixed(1)).join(' ')}`,
    );
  }
  await assert.rejects(sortFaces(mixed, mixed, 'blur'), usage);
  await assert.rejects(sortFaces(mixed, r.output, 'blur'), (e) => usage(e) && /not empty/.test((e as Error).message));
});

test('a crop whose record is not JSON, among good ones: faces sort and eval --source skip it by name and go on', {
  timeout: 120_000,
}, async () => {
  const s1 = await extractedFaces('grid_s1', 6);
  const dir = join(testTmp(), 'one-broken-record');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(s1)) copyFileSync(join(s1, f), join(dir, f));
  const png = await sharp({ create: { width: 128, height: 128, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  writeFileSync(join(dir, 'broken.png'), addPngText(png, 'facegan', '{"face": nope'));
  const r = await sortFaces(dir, join(testTmp(), 'sorted-broken'), 'identity');
  assert.equal(r.order.length, 6);
  assert.deepEqual(
    r.skipped.map((x) => basename(x.file)),
    ['broken.png'],
  );
  assert.match(r.skipped[0]!.reason, /broken\.png carries a facegan record that is not JSON/);
  const skipped: Skipped[] = [];
  const faces = await folderFaces(dir, new HumanDetector({ maxFaces: 1 }), 50, '--source', skipped);
  assert.equal(faces.length, 6);
  assert.deepEqual(
    skipped.map((x) => basename(x.file)),
    ['broken.png'],
  );
});

test('alignments list, remove (after deleting crops, with a backup) and draw; the contact sheet', {
  timeout: 300_000,
}, async () => {
  const { faces, alignments: file, frames } = await extractedFixture('grid_s1', 6);
  const l = listAlignments(file);
  assert.deepEqual([l.frames, l.faces, l.framesWithoutFaces, l.facesPerFrame], [6, 6, 0, { 1: 6 }]);

  const work = join(testTmp(), 'remove-faces'),
    copy = join(testTmp(), 'remove.alignments.json');
  mkdirSync(work, { recursive: true });
  copyFileSync(file, copy);
  const crops = readdirSync(faces).sort();
  for (const f of crops.slice(2)) copyFileSync(join(faces, f), join(work, f));
  assert.deepEqual(removeMissingFaces(copy, work), { kept: 4, removed: 2, backup: `${copy}.bak` });
  const after = readAlignmentsFile(copy);
  assert.equal(Object.values(after.frames).flatMap((f) => f.faces).length, 4);
  assert.equal(
    Object.values(readAlignmentsFile(`${copy}.bak`).frames).flatMap((f) => f.faces).length,
    6,
    'the backup holds the old file',
  );
  assert.deepEqual(removeMissingFaces(copy, work), { kept: 4, removed: 0 });
  rmSync(join(work, crops[2]!));
  assert.throws(() => removeMissingFaces(copy, join(testTmp(), 'nowhere')), /No faces folder/);
  // a second removal keeps the first backup: numbered backups, none replaced
  assert.deepEqual(removeMissingFaces(copy, work), { kept: 3, removed: 1, backup: `${copy}.1.bak` });
  assert.equal(
    Object.values(readAlignmentsFile(`${copy}.bak`).frames).flatMap((f) => f.faces).length,
    6,
    'the first backup is intact',
  );
  // another folder holding few of these crops: more than half would go, so it needs --yes
  for (const f of crops.slice(3, 5)) rmSync(join(work, f));
  assert.throws(() => removeMissingFaces(copy, work), /only 1 of the 3 faces.*--yes/);
  assert.equal(
    Object.values(readAlignmentsFile(copy).frames).flatMap((f) => f.faces).length,
    3,
    'nothing removed without --yes',
  );
  assert.deepEqual(removeMissingFaces(copy, work, true), { kept: 1, removed: 2, backup: `${copy}.2.bak` });

  const drawn = join(testTmp(), 'drawn');
  assert.equal(await drawAlignments(file, frames, drawn), 6);
  const key = Object.keys(readAlignmentsFile(file).frames).sort()[0]!;
  const [x, y] = readAlignmentsFile(file).frames[key]!.faces[0]!.landmarks[30]!;
  const { data, info } = await sharp(join(drawn, key.replace(/\.[^.]+$/, '.png')))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (Math.round(y) * info.width + Math.round(x)) * info.channels;
  assert.deepEqual(
    [data[at]! > 200, data[at + 1]! < 60, data[at + 2]! > 200],
    [true, true, true],
    'a magenta dot on the nose tip',
  );

  const sheet = join(testTmp(), 'sheet.jpg');
  assert.equal(await writeContactSheet(faces, sheet, { tile: 64, columns: 4 }), 6);
  const meta = await sharp(sheet).metadata();
  assert.deepEqual([meta.width, meta.height], [4 * 64, 2 * 64]);
});

test('CLI: faces and alignments name their tool; extract --preview writes the sheet', {
  timeout: 300_000,
}, async () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const bad = run('faces', 'shuffle', '-i', testTmp());
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Expected a faces tool/);
  assert.equal(run('alignments', 'list').status, 2);
  const photo = join(testTmp(), 'one-photo');
  mkdirSync(photo, { recursive: true });
  copyFileSync(sharedData('group', 'obama_biden_official_composite.jpg'), join(photo, 'two.jpg'));
  const out = join(testTmp(), 'preview-faces');
  const r = run('extract', '-i', photo, '-o', out, '--preview', '--no-identity');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(`${out}.preview.jpg`), r.stdout);
  const list = run('alignments', 'list', '-a', `${photo}.alignments.json`, '--json');
  assert.equal(JSON.parse(list.stdout).faces, 2);
});
