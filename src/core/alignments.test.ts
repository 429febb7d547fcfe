import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlignments } from './alignments.js';
import { ErrorCodes } from './errors.js';
import { assertFails } from '../testing/assert.js';

const face = {
  box: [0, 0, 10, 10],
  score: 1,
  landmarks: Array.from({ length: 68 }, (_, i) => [i % 4, Math.floor(i / 17)]),
  mesh: [],
  alignment: [
    [1, 0, 0],
    [0, 1, 0],
  ],
  pose: { yaw: 0, pitch: 0, roll: 0 },
  blur: 1,
};
const doc = (v: number, extra: object = {}) => ({
  schemaVersion: v,
  writer: 'x',
  input: { path: 'p', kind: 'folder' },
  crop: { size: 256, coverage: 0.625 },
  frames: { 'a.jpg': { source: 'a.jpg', width: 4, height: 4, faces: [face] } },
  ...extra,
});

test('a current file parses as is', () => {
  assert.equal(parseAlignments(doc(1)).frames['a.jpg']!.faces.length, 1);
});

test('older versions are upgraded through the migrations, in order', () => {
  // a pretend history: v1 called `frames` `items`; v2 had no crop settings
  const migrations = [
    (d: Record<string, unknown>) => ({ ...d, frames: d.items }),
    (d: Record<string, unknown>) => ({ ...d, crop: { size: 256, coverage: 0.625 } }),
  ];
  const v1 = { schemaVersion: 1, writer: 'x', input: { path: 'p', kind: 'folder' }, items: doc(1).frames };
  const up = parseAlignments(v1, 'old.json', migrations);
  assert.equal(up.schemaVersion, 3);
  assert.deepEqual(up.crop, { size: 256, coverage: 0.625 });
  assert.ok(up.frames['a.jpg']);
});

test('newer, broken or foreign files are refused with what to do', () => {
  assertFails(
    () => parseAlignments(doc(9), 'x.json'),
    ErrorCodes.BAD_FILE,
    /schemaVersion 9, newer than this facegan reads \(1\); update facegan/,
  );
  assertFails(() => parseAlignments([], 'x.json'), ErrorCodes.BAD_FILE, /not a JSON object/);
  assertFails(() => parseAlignments({ frames: {} }, 'x.json'), ErrorCodes.BAD_FILE, /schemaVersion is undefined/);
  const broken = edited((_, f) => {
    f.landmarks = [];
  });
  assertFails(
    () => parseAlignments(broken, 'x.json'),
    ErrorCodes.BAD_FILE,
    new RegExp(
      String.raw`x.json is not valid: frames\["a.jpg"\].faces\[0\].landmarks: ` +
        String.raw`expected 68 points \(it holds 0\).*re-run facegan extract`,
    ),
  );
});

/** A copy of the document with one change made to its first face (or frame). */
function edited(change: (frame: Record<string, unknown>, face: Record<string, unknown>) => void) {
  const d = structuredClone(doc(1)) as ReturnType<typeof doc>;
  const frame = d.frames['a.jpg'] as unknown as Record<string, unknown>;
  change(frame, (frame.faces as Record<string, unknown>[])[0]!);
  return d;
}

const refusedByFieldTitle =
  'a face of null, NaN (null in JSON), absurd or collapsed landmarks, and too many faces are refused by field';
test(refusedByFieldTitle, () => {
  const cases: [string, (fr: Record<string, unknown>, f: Record<string, unknown>) => void, RegExp][] = [
    [
      'null face',
      (fr) => {
        fr.faces = [null];
      },
      /faces\[0\]: expected object \(it holds null\)/,
    ],
    [
      'NaN landmark',
      (_, f) => {
        (f.landmarks as unknown[])[5] = [null, 1];
      },
      /landmarks\[5\]: expected \[x, y\] of finite numbers \(it holds \[null,1\]\)/,
    ],
    [
      'null point',
      (_, f) => {
        (f.landmarks as unknown[])[7] = null;
      },
      /landmarks\[7\]: expected \[x, y\] of finite numbers \(it holds null\)/,
    ],
    [
      'absurd',
      (_, f) => {
        (f.landmarks as number[][])[5] = [1e9, 1];
      },
      /far outside the 4x4 image/,
    ],
    [
      'a point',
      (_, f) => {
        f.landmarks = Array.from({ length: 68 }, () => [1, 1]);
      },
      /landmarks span 0.0x0.0 px: not a face/,
    ],
    [
      '2000 faces',
      (fr, f) => {
        fr.faces = Array.from({ length: 2000 }, () => f);
      },
      /faces: expected at most 256 faces in a frame/,
    ],
    [
      'negative width',
      (fr) => {
        fr.width = -4;
      },
      /width: Too small/,
    ],
  ];
  for (const [what, change, pattern] of cases) {
    const e = assertFails(() => parseAlignments(edited(change), 'x.json'), ErrorCodes.BAD_FILE, pattern);
    assert.match(e.message, /^x.json is not valid: frames\["a.jpg"\]/, what);
  }
  // fields a later facegan (or another tool) added are kept
  const extra = edited((_, f) => {
    f.note = 'kept';
  });
  assert.equal((parseAlignments(extra).frames['a.jpg']!.faces[0] as unknown as { note: string }).note, 'kept');
});
