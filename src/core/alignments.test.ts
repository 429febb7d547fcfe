import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlignments } from './alignments.js';
import { ErrorCodes } from './errors.js';
import { assertFails } from '../testing/assert.js';

const face = { box: [0, 0, 10, 10], score: 1, landmarks: Array.from({ length: 68 }, () => [0, 0]), mesh: [], alignment: [[1, 0, 0], [0, 1, 0]], pose: { yaw: 0, pitch: 0, roll: 0 }, blur: 1 };
const doc = (v: number, extra: object = {}) => ({ schemaVersion: v, writer: 'x', input: { path: 'p', kind: 'folder' }, crop: { size: 256, coverage: 0.625 }, frames: { 'a.jpg': { source: 'a.jpg', width: 4, height: 4, faces: [face] } }, ...extra });

test('a current file parses as is', () => {
  assert.equal(parseAlignments(doc(1)).frames['a.jpg']!.faces.length, 1);
});

test('older versions are upgraded through the migrations, in order', () => {
  // a pretend history: v1 called `frames` `items`; v2 had no crop settings
  const migrations = [
    (d: Record<string, unknown>) => ({ ...d, frames: d.items }),
    (d: Record<string, unknown>) => ({ ...d, crop: { size: 256, coverage: 0.625 } }),
  ];
  const v1 = { schemaVersion: 1, items: doc(1).frames };
  const up = parseAlignments(v1, 'old.json', migrations);
  assert.equal(up.schemaVersion, 3);
  assert.deepEqual(up.crop, { size: 256, coverage: 0.625 });
  assert.ok(up.frames['a.jpg']);
});

test('newer, broken or foreign files are refused with what to do', () => {
  assertFails(() => parseAlignments(doc(9), 'x.json'), ErrorCodes.BAD_FILE, /schemaVersion 9, newer than this facegan reads \(1\); update facegan/);
  assertFails(() => parseAlignments([], 'x.json'), ErrorCodes.BAD_FILE, /not a JSON object/);
  assertFails(() => parseAlignments({ frames: {} }, 'x.json'), ErrorCodes.BAD_FILE, /schemaVersion is undefined/);
  const broken = doc(1);
  broken.frames['a.jpg']!.faces[0]!.landmarks = [];
  assertFails(() => parseAlignments(broken, 'x.json'), ErrorCodes.BAD_FILE, /lacks its 68 landmarks.*Re-run facegan extract/);
});
