import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readScale, ScaledReader, MESH_DETAIL } from './scaled-reader.js';
import { HumanDetector } from './human.js';
import type { DetectedFace } from './detected.js';
import { sharedData } from '../testing/data.js';
import type { RgbImage } from '../core/image.js';

const face = (side: number) => ({ box: [0, 0, side, side] }) as unknown as DetectedFace;

test('readScale keeps the smallest face MESH_DETAIL px wide, in steps of 0.1, and falls two steps at once', () => {
  assert.equal(readScale([], 1280, 720), 1, 'no face: read whole (one may come in small)');
  assert.equal(readScale([face(200)], 1280, 720), 1, 'a face under MESH_DETAIL: whole');
  assert.equal(readScale([face(2 * MESH_DETAIL)], 1280, 720), 0.5);
  assert.equal(readScale([face(2 * MESH_DETAIL), face(300)], 1280, 720), 1, 'the smallest face decides');
  assert.equal(readScale([face(5000)], 1280, 720), 0.4, 'never under 512 px for the longer side');
  assert.equal(readScale([face(MESH_DETAIL / 0.55)], 1280, 720, 0.5), 0.6, 'rises at once when a face needs it');
  assert.equal(readScale([face(MESH_DETAIL / 0.6)], 1280, 720, 0.7), 0.7, 'one step down: stays');
  assert.equal(readScale([face(MESH_DETAIL / 0.5)], 1280, 720, 0.7), 0.5, 'two steps down: goes');
});

/** Obama's frames as 720p video frames (his face 450-700 px, as in bench:extract's clip). */
async function frames720p(n: number): Promise<RgbImage[]> {
  const dir = sharedData('faces', 'obama');
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('obama_wa_'))
    .sort()
    .slice(0, n);
  return Promise.all(
    files.map(async (f) => {
      const { data, info } = await sharp(join(dir, f))
        .resize(1280, 720, { fit: 'fill' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8Array(data) };
    }),
  );
}

// Human's own framing moves these landmarks by 0.42% of the face's side on average (a frame tracked, or read afresh)
test('large faces: read at under half the pixels, landmarks within 0.75% of the face on average', async () => {
  const frames = await frames720p(20);
  const whole = new HumanDetector({ video: true, rotations: false });
  const scaled = new ScaledReader(new HumanDetector({ video: true, rotations: false }));
  const scales: number[] = [];
  const shifts: number[] = [];
  for (const frame of frames) {
    scales.push(scaled.scale);
    const [a] = await whole.detect(frame);
    const [b] = await scaled.detect(frame);
    assert.ok(a && b, 'the face is found both ways');
    const side = Math.min(a.box[2], a.box[3]);
    const moved =
      a.landmarks.reduce((s, [x, y], i) => s + Math.hypot(x - b.landmarks[i]![0], y - b.landmarks[i]![1]), 0) / 68;
    shifts.push(moved / side);
    assert.ok(Math.abs(b.box[2] - a.box[2]) < 0.05 * a.box[2], "the box is in the whole frame's pixels");
  }
  assert.equal(scales[0], 1, 'the first frame is read whole');
  assert.ok(
    scales.slice(1).every((s) => s <= 0.7),
    `later frames are read at 0.7 or less: ${scales.join(' ')}`,
  );
  const mean = shifts.reduce((a, b) => a + b) / shifts.length;
  assert.ok(mean < 0.0075, `landmarks moved by ${(100 * mean).toFixed(2)}% of the face's side on average`);
  assert.ok(Math.max(...shifts) < 0.015, `at most ${(100 * Math.max(...shifts)).toFixed(2)}% in one frame`);
});

test('the reader holds no frame it has read (an hour of video would otherwise stay in memory)', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const reader = new ScaledReader({ detect: async () => [] });
  const refs: WeakRef<RgbImage>[] = [];
  for (let i = 0; i < 5; i++) {
    const frame: RgbImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) };
    refs.push(new WeakRef(frame));
    await reader.detect(frame);
  }
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(refs.slice(0, 4).filter((r) => r.deref()).length, 0, 'every frame but the last is collected');
});
