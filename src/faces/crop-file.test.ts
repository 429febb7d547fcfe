/** Reading crops safely: devices, pipes, dangling links and broken records are one clear error, never a hang. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { testTmp, extractedFaces } from '../testing/faces.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { addPngText } from '../core/png-text.js';
import { readFaceCrop } from './crop-file.js';
import { train } from '../train/trainer.js';

const badFile = (message: RegExp) => (e: unknown) => e instanceof FaceganError && e.code === ErrorCodes.BAD_FILE && message.test(e.message);

test('a link to /dev/zero, a FIFO, a dangling link and a broken record are each refused by name', async () => {
  const dir = join(testTmp(), 'hostile');
  mkdirSync(dir, { recursive: true });
  symlinkSync('/dev/zero', join(dir, 'zero.png'));
  assert.equal(spawnSync('mkfifo', [join(dir, 'pipe.png')]).status, 0);
  symlinkSync(join(dir, 'nothing-here.png'), join(dir, 'dangling.png'));
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer();
  writeFileSync(join(dir, 'record.png'), addPngText(png, 'facegan', '{"not": json'));
  const cases: [string, RegExp][] = [
    ['zero.png', /zero\.png is not a regular file/],
    ['pipe.png', /pipe\.png is not a regular file/],
    ['dangling.png', /dangling\.png cannot be read \(a link to nothing\)/],
    ['record.png', /record\.png carries a facegan record that cannot be read/],
  ];
  for (const [file, message] of cases) await assert.rejects(readFaceCrop(join(dir, file)), badFile(message), file);
});

test('train refuses a faces folder holding a link to /dev/zero at once, naming it', { timeout: 60_000 }, async () => {
  const faces = await extractedFaces('grid_s1', 6);
  const dir = join(testTmp(), 'faces-with-zero');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(faces)) copyFileSync(join(faces, f), join(dir, f));
  symlinkSync('/dev/zero', join(dir, 'zzz.png'));
  const started = performance.now();
  await assert.rejects(train({ a: dir, b: await extractedFaces('grid_s2', 6), modelDir: join(testTmp(), 'm-zero'), iterations: 1 }),
    badFile(/zzz\.png is not a regular file/));
  assert.ok(performance.now() - started < 30_000, 'refused quickly, not after filling memory');
});
