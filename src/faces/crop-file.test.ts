/** Reading crops safely: devices, pipes, dangling links and broken records are one clear error, never a hang. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { testTmp, extractedFaces } from '../testing/faces.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { addPngText, readPngText } from '../core/png-text.js';
import type { EmbeddedFace } from '../core/alignments.js';
import { readFaceCrop } from './crop-file.js';
import { train } from '../train/trainer.js';

const badFile = (message: RegExp) => (e: unknown) =>
  e instanceof FaceganError && e.code === ErrorCodes.BAD_FILE && message.test(e.message);

/** A copy of a real crop whose embedded record is changed by `change` (or replaced by `text`). */
async function withRecord(
  from: string,
  to: string,
  change: (r: EmbeddedFace) => unknown,
  text?: string,
): Promise<void> {
  const bytes = readFileSync(from);
  const record = JSON.parse(readPngText(bytes, 'facegan')!) as EmbeddedFace;
  change(record);
  const png = await sharp(bytes).png().toBuffer(); // the pixels without the old record
  writeFileSync(to, addPngText(png, 'facegan', text ?? JSON.stringify(record)));
}

/** Hostile files beside real faces: each name with the reason it must be refused. */
async function hostileFolder(dir: string): Promise<[string, RegExp][]> {
  const faces = await extractedFaces('grid_s1', 6);
  mkdirSync(dir, { recursive: true });
  const real = readdirSync(faces).filter((f) => f.endsWith('.png'));
  for (const f of real) copyFileSync(join(faces, f), join(dir, f));
  const one = join(faces, real[0]!);
  symlinkSync('/dev/zero', join(dir, 'zero.png'));
  assert.equal(spawnSync('mkfifo', [join(dir, 'pipe.png')]).status, 0);
  symlinkSync(join(dir, 'nothing-here.png'), join(dir, 'dangling.png'));
  await withRecord(one, join(dir, 'not-json.png'), () => undefined, '{"not": json');
  await withRecord(one, join(dir, 'nan.png'), (r) => {
    (r.face.landmarks as unknown[])[30] = [NaN, 1];
  });
  await withRecord(one, join(dir, 'few.png'), (r) => {
    r.face.landmarks = r.face.landmarks.slice(0, 20);
  });
  await withRecord(one, join(dir, 'absurd.png'), (r) => {
    (r.face.landmarks as unknown[])[8] = [1e9, 5];
  });
  await withRecord(one, join(dir, 'null-face.png'), (r) => {
    (r as { face: unknown }).face = null;
  });
  await withRecord(one, join(dir, 'null-point.png'), (r) => {
    (r.face.landmarks as unknown[])[3] = null;
  });
  return [
    ['zero.png', /zero\.png is not a regular file/],
    ['pipe.png', /pipe\.png is not a regular file/],
    ['dangling.png', /dangling\.png cannot be read \(a link to nothing\)/],
    ['not-json.png', /not-json\.png carries a facegan record that is not JSON/],
    [
      'nan.png',
      /nan\.png is not valid: face\.landmarks\[30\]: expected \[x, y\] of finite numbers \(it holds \[null,1\]\)/,
    ],
    ['few.png', /few\.png is not valid: face\.landmarks: expected 68 points \(it holds 20\)/],
    [
      'absurd.png',
      /absurd\.png is not valid: face\.landmarks: landmarks reach .* far outside the \d+x\d+ image \(in crop pixels\)/,
    ],
    ['null-face.png', /null-face\.png is not valid: face: expected object \(it holds null\)/],
    [
      'null-point.png',
      /null-point\.png is not valid: face\.landmarks\[3\]: expected \[x, y\] of finite numbers \(it holds null\)/,
    ],
  ];
}

const hostileFilesTitle =
  'devices, pipes, dangling links, and records that are not JSON or hold NaN, too few or absurd landmarks: ' +
  'each refused by name';
test(hostileFilesTitle, async () => {
  const dir = join(testTmp(), 'hostile');
  for (const [file, message] of await hostileFolder(dir))
    await assert.rejects(readFaceCrop(join(dir, file)), badFile(message), file);
});

test('train skips each bad file of a faces folder, naming it and why, and trains on the rest at once', {
  timeout: 120_000,
}, async () => {
  const dir = join(testTmp(), 'faces-hostile');
  const cases = await hostileFolder(dir);
  const warnings: string[] = [];
  const b = await extractedFaces('grid_s2', 6);
  const started = performance.now();
  const s = await train({
    a: dir,
    b,
    modelDir: join(testTmp(), 'm-hostile'),
    iterations: 1,
    batchSize: 2,
    onWarning: (m) => warnings.push(m),
  });
  assert.equal(s.iteration, 1);
  assert.ok(
    performance.now() - started < 90_000,
    'the device and the pipe are passed over, not read until memory fills',
  );
  // one warning for the folder (the loader's worker reads it again, silently), naming every bad file
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, new RegExp(`skipped ${cases.length} of ${cases.length + 6} files in .*faces-hostile`));
  for (const [file] of cases) assert.ok(warnings[0]!.includes(file), `${file} named in: ${warnings[0]}`);
  assert.deepEqual(s.warnings, warnings);
});

test('a faces folder none of whose files can be read is refused, with the first reason', async () => {
  const dir = join(testTmp(), 'faces-all-bad');
  mkdirSync(dir, { recursive: true });
  symlinkSync('/dev/zero', join(dir, 'a.png'));
  symlinkSync('/dev/zero', join(dir, 'b.png'));
  await assert.rejects(
    train({ a: dir, b: await extractedFaces('grid_s2', 6), modelDir: join(testTmp(), 'm-all-bad'), iterations: 1 }),
    badFile(/None of the 2 files in .*faces-all-bad could be read; the first: .*a\.png is not a regular file/),
  );
});
