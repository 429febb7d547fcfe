import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEAN_FACE } from '../core/geometry/meanface.js';
import { smoothLandmarks, type TrackedFace } from './smooth.js';
import { boxIou } from '../core/geometry/box.js';
import { Random } from '../core/random.js';
import type { Point } from '../core/geometry/meanface.js';

const inner = MEAN_FACE.map(([x, y]) => [16 + x * 96, 24 + y * 96] as const);
const jaw = Array.from({ length: 17 }, (_, i) => {
  const t = Math.PI * (i / 16);
  return [64 - 46 * Math.cos(t), 60 + 56 * Math.sin(t)] as const;
});
const face: Point[] = [...jaw, ...inner];

test('smoothing: jittered landmarks of a still face come closer to the truth; a cut stops the averaging', () => {
  const rng = new Random(1);
  const truth = face;
  const frames: TrackedFace[][] = Array.from({ length: 9 }, () => [
    {
      box: [10, 10, 100, 100],
      landmarks: truth.map(([x, y]) => [x + rng.normal() * 2, y + rng.normal() * 2] as const),
    },
  ]);
  const err = (lm: readonly Point[]) =>
    lm.reduce((s, [x, y], i) => s + Math.hypot(x - truth[i]![0], y - truth[i]![1]), 0) / lm.length;
  const smoothed = smoothLandmarks(frames, 4, 0, 3);
  assert.ok(
    err(smoothed) < err(frames[4]![0]!.landmarks) * 0.7,
    `error ${err(smoothed)} vs raw ${err(frames[4]![0]!.landmarks)}`,
  );
  // after a cut the face is elsewhere: frames past it are not averaged in
  const cut = frames.map((f, i) =>
    i > 4
      ? [
          {
            box: [300, 300, 100, 100] as const,
            landmarks: f[0]!.landmarks.map(([x, y]) => [x + 290, y + 290] as const),
          },
        ]
      : f,
  );
  const kept = smoothLandmarks(cut, 4, 0, 3);
  assert.ok(err(kept) < 3, `averaged only with the frames before the cut (error ${err(kept)})`);
  assert.equal(boxIou([0, 0, 10, 10], [5, 0, 10, 10]), 50 / 150);
});
