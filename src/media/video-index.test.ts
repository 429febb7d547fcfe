/** Frame ranges of a video: decoded from a seek point, they are exactly the frames a full decode gives there. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedData } from '../testing/data.js';
import { readFrames } from './video.js';
import { copyFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { testTmp } from '../testing/faces.js';
import { cutAtKeyframes, loadFrameIndex, probeFrameIndex, saveFrameIndex, type FrameIndex } from './video-index.js';

const VIDEOS = [sharedData('video', 'grid_s2_swwp2s.mpg'), sharedData('video', 'new_face_video-90_ccby_aarontang.mp4')];

async function decode(path: string, range?: { from: number; to: number; index?: FrameIndex }) {
  const out: { index: number; sum: number; bytes: Uint8Array }[] = [];
  for await (const f of readFrames(path, { range })) {
    let sum = 0;
    for (let i = 0; i < f.image.data.length; i += 97) sum += f.image.data[i]!;
    out.push({ index: f.index, sum, bytes: f.image.data });
  }
  return out;
}

for (const path of VIDEOS) {
  test(`ranges decode to the very frames of a full decode: ${path.split('/').pop()}`, {
    timeout: 120_000,
  }, async () => {
    const index = probeFrameIndex(path);
    const all = await decode(path);
    assert.equal(index.times.length, all.length, 'one time per decoded frame');
    assert.ok(index.keyframes.length >= 2, 'the clip has several keyframes');
    // from a keyframe, from just after one, from the middle of a group of pictures, up to the end
    const k = index.keyframes[1]!;
    for (const [from, to] of [
      [k, k + 5],
      [k + 1, k + 4],
      [Math.floor(all.length / 2) + 3, all.length],
      [0, 3],
    ] as const) {
      const part = await decode(path, { from, to, index });
      assert.deepEqual(
        part.map((f) => f.index),
        Array.from({ length: to - from }, (_, i) => from + i),
      );
      for (const f of part)
        assert.ok(Buffer.from(f.bytes).equals(Buffer.from(all[f.index]!.bytes)), `frame ${f.index}`);
    }
  });
}

test('cutAtKeyframes: parts start at keyframes, cover every frame once, a short tail joins the part before', () => {
  // 25 fps, 250 frames, a keyframe every 12 frames
  const times = Array.from({ length: 250 }, (_, i) => i / 25);
  const keyframes = Array.from({ length: 21 }, (_, i) => i * 12);
  const parts = cutAtKeyframes({ times, keyframes, start: 0 }, 3);
  assert.equal(parts[0]!.from, 0);
  assert.equal(parts.at(-1)!.to, 250);
  for (let i = 1; i < parts.length; i++) {
    assert.equal(parts[i]!.from, parts[i - 1]!.to);
    assert.ok(keyframes.includes(parts[i]!.from));
    assert.ok(times[parts[i]!.from]! - times[parts[i - 1]!.from]! >= 3 - 1e-9, 'at least the length asked');
  }
  assert.deepEqual(
    parts.map((p) => p.from),
    [0, 84, 168],
  );
  // 250 frames = 10 s; the tail from 252 would be empty, and 168..250 is 3.3 s
  assert.deepEqual(cutAtKeyframes({ times: times.slice(0, 10), keyframes: [0], start: 0 }, 3), [{ from: 0, to: 10 }]);
});

test('a saved frame index is read back for the same video, and refused once the video has changed', () => {
  const dir = testTmp();
  const video = join(dir, 'index-copy.mpg');
  copyFileSync(VIDEOS[0]!, video);
  const file = join(dir, 'frames.json');
  const index = probeFrameIndex(video);
  saveFrameIndex(file, video, index);
  assert.deepEqual(loadFrameIndex(file, video), index, 'read back');
  assert.equal(loadFrameIndex(file, VIDEOS[0]!), undefined, 'not for another video');
  const later = new Date(Date.now() + 5000);
  utimesSync(video, later, later);
  assert.equal(loadFrameIndex(file, video), undefined, 'not once the video has changed');
  assert.equal(loadFrameIndex(join(dir, 'missing.json'), video), undefined, 'none saved: undefined');
});
