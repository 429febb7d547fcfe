/**
 * convert end to end with a small model trained here: video (frames, rate, audio, labels, untouched background),
 * photos, safety.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTmp } from '../testing/faces.js';
import { tinySwapModel } from '../testing/swap-model.js';
import { sharedData } from '../testing/data.js';
import { extract } from '../extract/extract.js';
import { readAlignmentsFile } from '../io/alignments-file.js';
import { readFrames, probeVideo } from '../media/video.js';
import { readImage } from '../media/image.js';
import { VideoWriter } from '../media/video-writer.js';
import { DIGITAL_SOURCE_TYPE, readImageSourceType, readVideoSourceType } from '../media/provenance.js';
import { FaceganError, ErrorCodes } from '../core/errors.js';
import type { RgbImage } from '../core/image.js';
import { convert } from './convert.js';
import { COLOUR_MODES } from '../swap/swap.js';

const GRID = sharedData('video', 'grid_s2_swwp2s.mpg');
let model = '',
  tmp = '';
before(async () => {
  tmp = testTmp();
  model = join(tmp, 'convert-model');
  await tinySwapModel(model);
});

const probe = (path: string, stream: string, entries: string) =>
  spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', stream, '-count_frames', '-show_entries', entries, '-of', 'csv=p=0', path],
    { encoding: 'utf8' },
  ).stdout.trim();
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
async function frames(path: string): Promise<RgbImage[]> {
  const out: RgbImage[] = [];
  for await (const f of readFrames(path)) out.push(f.image);
  return out;
}
/** Mean absolute difference of two images inside (or outside) a box. */
function diff(a: RgbImage, b: RgbImage, box: readonly number[], inside: boolean): number {
  let s = 0,
    n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const isIn = x >= box[0]! && x < box[0]! + box[2]! && y >= box[1]! && y < box[1]! + box[3]!;
      if (isIn !== inside) continue;
      for (let c = 0; c < 3; c++)
        s += Math.abs(a.data[(y * a.width + x) * 3 + c]! - b.data[(y * a.width + x) * 3 + c]!);
      n += 3;
    }
  }
  assert.ok(n > 0, 'the compared region is not empty');
  return s / n;
}
const grow = (box: readonly number[], k: number) => {
  const cx = box[0]! + box[2]! / 2,
    cy = box[1]! + box[3]! / 2;
  return [cx - (box[2]! * k) / 2, cy - (box[3]! * k) / 2, box[2]! * k, box[3]! * k];
};

test('a video: same frame count, rate and duration, the same audio packets, the label, the background untouched', {
  timeout: 300_000,
}, async () => {
  const alignments = join(tmp, 'grid.alignments.json');
  await extract({ input: GRID, output: join(tmp, 'grid-faces'), alignments, identity: false });
  const before = sha(GRID);
  const out = join(tmp, 'swapped.mp4');
  const s = await convert({ input: GRID, output: out, modelDir: model, alignments, swap: true });
  assert.equal(s.source, 'alignments');
  assert.equal(s.frames, 75);
  assert.equal(s.faces, 75);
  assert.equal(sha(GRID), before, 'the input is unchanged');
  assert.equal(probe(out, 'v:0', 'stream=nb_read_frames'), probe(GRID, 'v:0', 'stream=nb_read_frames'));
  assert.equal(probe(out, 'v:0', 'stream=r_frame_rate'), probe(GRID, 'v:0', 'stream=r_frame_rate'));
  assert.ok(
    Math.abs(probeVideo(out).duration - probeVideo(GRID).duration) <= 1 / 25 + 1e-6,
    'same duration within a frame',
  );
  const packets = (p: string) => probe(p, 'a:0', 'packet=size');
  assert.ok(packets(GRID).split('\n').length > 50);
  assert.equal(packets(out), packets(GRID), 'the audio packets are copied unchanged');
  assert.equal(readVideoSourceType(out), DIGITAL_SOURCE_TYPE);

  // a pass-through encode of the same frames with the same settings: outside the faces the two agree
  const plain = join(tmp, 'plain.mp4');
  const info = probeVideo(GRID);
  const w = new VideoWriter({ path: plain, width: info.width, height: info.height, fps: info.rate });
  for await (const f of readFrames(GRID)) await w.write(f.image);
  await w.finish();
  const [a, b] = [await frames(out), await frames(plain)];
  const doc = readAlignmentsFile(alignments);
  const keys = Object.keys(doc.frames).sort();
  let outside = 0,
    inside = 0;
  for (let i = 0; i < a.length; i += 5) {
    const box = doc.frames[keys[i]!]!.faces[0]!.box;
    outside += diff(a[i]!, b[i]!, grow(box, 1.5), false);
    inside += diff(a[i]!, b[i]!, grow(box, 0.6), true);
  }
  const n = Math.ceil(a.length / 5);
  assert.ok(outside / n < 1.5, `outside the faces: mean difference ${(outside / n).toFixed(2)} levels`);
  assert.ok(inside / n > 8, `inside the faces: mean difference ${(inside / n).toFixed(2)} levels`);
});

const colourModesTitle =
  "photos: every colour mode runs; avg-color moves the face's mean colour to the original's; XMP label; visible label";
test(colourModesTitle, {
  timeout: 300_000,
}, async () => {
  const dir = sharedData('faces', 'grid_s1');
  const name = readdirSync(dir).sort()[20]!;
  const input = join(dir, name);
  const original = await readImage(input);
  const box =
    (await extract({
      input,
      output: join(tmp, 'one-face'),
      alignments: join(tmp, 'one.alignments.json'),
      identity: false,
    }),
    readAlignmentsFile(join(tmp, 'one.alignments.json')).frames[name]!.faces[0]!.box);
  const inner = grow(box, 0.5);
  const mean = (img: RgbImage) =>
    [0, 1, 2].map((c) => {
      let s = 0,
        n = 0;
      for (let y = Math.round(inner[1]!); y < inner[1]! + inner[3]!; y++)
        for (let x = Math.round(inner[0]!); x < inner[0]! + inner[2]!; x++) {
          s += img.data[(y * img.width + x) * 3 + c]!;
          n++;
        }
      return s / n;
    });
  const distance = (img: RgbImage) => Math.hypot(...mean(img).map((v, c) => v - mean(original)[c]!));
  const results: Record<string, RgbImage> = {};
  for (const colour of COLOUR_MODES) {
    const out = join(tmp, `photo-${colour}.png`);
    const s = await convert({ input, output: out, modelDir: model, color: colour });
    assert.equal(s.faces, 1, colour);
    results[colour] = await readImage(out);
    assert.ok(diff(results[colour], original, grow(box, 0.6), true) > 3, `${colour} changed the face`);
    assert.equal(await readImageSourceType(out), DIGITAL_SOURCE_TYPE, `${colour} output is labelled`);
  }
  assert.ok(
    distance(results['avg-color']!) < 6,
    `avg-color: ${distance(results['avg-color']!).toFixed(2)} levels from the original's mean`,
  );
  assert.ok(
    distance(results.none!) > distance(results['avg-color']!) + 3,
    `none is further: ${distance(results.none!).toFixed(2)}`,
  );

  const labelled = join(tmp, 'labelled.jpg');
  await convert({ input, output: labelled, modelDir: model, label: 'AI-generated', provenance: false });
  const lab = await readImage(labelled);
  assert.equal(await readImageSourceType(labelled), undefined, '--no-provenance leaves the metadata out');
  assert.ok(
    diff(lab, original, [0, original.height - 10, 60, 10], true) > 20,
    'the visible label darkens the bottom-left corner',
  );
});

test('a rotated phone video keeps its orientation', { timeout: 300_000 }, async () => {
  const clip = join(tmp, 'rotated-1s.mp4');
  spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    sharedData('video', 'new_face_video-90_ccby_aarontang.mp4'),
    '-t',
    '1',
    '-c',
    'copy',
    clip,
  ]);
  const src = probeVideo(clip);
  assert.equal(src.rotation !== 0, true, 'the clip carries a rotation');
  const out = join(tmp, 'rotated-out.mp4');
  const s = await convert({ input: clip, output: out, modelDir: model });
  const got = probeVideo(out);
  assert.deepEqual([got.width, got.height], [src.width, src.height]);
  assert.equal(s.frames, (await frames(clip)).length);
  const [a, b] = [(await frames(out))[0]!, (await frames(clip))[0]!];
  assert.ok(diff(a, b, [0, 0, 0, 0], false) < 12, 'the first frames agree the same way up');
});

const safetyTitle =
  'safety: never over the input, an existing output needs --overwrite, a stopped video leaves nothing, ' +
  'a folder resumes';
test(safetyTitle, {
  timeout: 300_000,
}, async () => {
  const usage = (e: unknown) => e instanceof FaceganError && e.code === ErrorCodes.USAGE;
  const copy = join(tmp, 'in.mpg');
  copyFileSync(GRID, copy);
  await assert.rejects(convert({ input: copy, output: copy, modelDir: model }), usage);
  const existing = join(tmp, 'exists.mp4');
  copyFileSync(GRID, existing);
  await assert.rejects(
    convert({ input: copy, output: existing, modelDir: model }),
    (e) => usage(e) && /--overwrite/.test((e as Error).message),
  );
  await assert.rejects(
    convert({ input: copy, output: join(tmp, 'x.mp4'), modelDir: join(tmp, 'no-model') }),
    (e) => e instanceof FaceganError && e.code === ErrorCodes.BAD_MODEL,
  );

  const stopDir = join(tmp, 'stopped');
  mkdirSync(stopDir, { recursive: true });
  const ac = new AbortController();
  const s = await convert({
    input: copy,
    output: join(stopDir, 'out.mp4'),
    modelDir: model,
    signal: ac.signal,
    onProgress: (p) => {
      if (p.done === 5) ac.abort();
    },
  });
  assert.equal(s.stopped, true);
  assert.deepEqual(readdirSync(stopDir), [], 'no partial video is left');

  const photos = join(tmp, 'photos');
  mkdirSync(photos, { recursive: true });
  const dir = sharedData('faces', 'grid_s1');
  for (const f of readdirSync(dir).sort().slice(0, 3)) copyFileSync(join(dir, f), join(photos, f));
  const first = await convert({ input: photos, output: join(tmp, 'photos-out'), modelDir: model });
  assert.equal(first.frames, 3);
  const again = await convert({ input: photos, output: join(tmp, 'photos-out'), modelDir: model });
  assert.deepEqual([again.frames, again.skipped], [0, 3]);
  assert.ok(existsSync(join(tmp, 'photos-out', readdirSync(dir).sort()[0]!)));
});

test('other outputs: PNG frames and a GIF (labelled), H.265 in MP4 and VP9 in WebM with their audio', {
  timeout: 300_000,
}, async () => {
  const clip = join(tmp, 'grid-10.mkv');
  spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    GRID,
    '-frames:v',
    '10',
    '-t',
    '0.4',
    '-c:v',
    'libx264',
    '-crf',
    '10',
    '-c:a',
    'copy',
    clip,
  ]);
  const count = (p: string) => Number(probe(p, 'v:0', 'stream=nb_read_frames'));
  assert.equal(count(clip), 10);

  const pngs = join(tmp, 'grid-frames');
  const s = await convert({ input: clip, output: pngs, modelDir: model, swap: true });
  assert.deepEqual([s.frames, s.faces], [10, 10]);
  const names = readdirSync(pngs).sort();
  assert.equal(names.length, 10);
  assert.ok(names.every((n) => n.endsWith('.png')));
  assert.equal(await readImageSourceType(join(pngs, names[0]!)), DIGITAL_SOURCE_TYPE, 'each frame carries the label');

  const gif = join(tmp, 'grid.gif');
  await convert({ input: clip, output: gif, modelDir: model });
  assert.equal(count(gif), 10, 'the GIF decodes to every frame');
  assert.equal(readVideoSourceType(gif), DIGITAL_SOURCE_TYPE, 'the GIF carries the label in its XMP');

  const codecOf = (p: string, stream: string) => probe(p, stream, 'stream=codec_name');
  const h265 = join(tmp, 'grid-h265.mp4');
  await convert({ input: clip, output: h265, modelDir: model, codec: 'h265', crf: 28, preset: 'ultrafast' });
  assert.deepEqual([codecOf(h265, 'v:0'), count(h265)], ['hevc', 10]);
  assert.equal(
    probe(h265, 'a:0', 'packet=size'),
    probe(clip, 'a:0', 'packet=size'),
    'MP4 holds MPEG audio: it is copied',
  );
  assert.equal(readVideoSourceType(h265), DIGITAL_SOURCE_TYPE);

  const vp9 = join(tmp, 'grid-vp9.webm');
  await convert({ input: clip, output: vp9, modelDir: model, codec: 'vp9', crf: 40 });
  assert.deepEqual(
    [codecOf(vp9, 'v:0'), count(vp9), codecOf(vp9, 'a:0')],
    ['vp9', 10, 'opus'],
    'WebM cannot hold MPEG audio: it becomes Opus',
  );
  assert.equal(readVideoSourceType(vp9), DIGITAL_SOURCE_TYPE);
});

test('--filter swaps only the faces of the person shown', { timeout: 300_000 }, async () => {
  const photo = sharedData('group', 'obama_biden_official_composite.jpg');
  const obama = sharedData('faces', 'obama', 'obama_still_official_portrait_2012_souza.jpg');
  const original = await readImage(photo);
  const half = original.width / 2; // Obama stands on the left of the composite, Biden on the right
  const all = await convert({ input: photo, output: join(tmp, 'both.png'), modelDir: model });
  assert.equal(all.faces, 2);
  const out = join(tmp, 'obama-only.png');
  const one = await convert({ input: photo, output: out, modelDir: model, filter: [obama] });
  assert.equal(one.faces, 1);
  const swapped = await readImage(out);
  const left = diff(swapped, original, [0, 0, half, original.height], true),
    right = diff(swapped, original, [half, 0, half, original.height], true);
  assert.ok(left > 0.3, `Obama's half changed (${left.toFixed(2)} levels on average)`);
  assert.ok(right < 0.05, `Biden's half is untouched (${right.toFixed(3)})`);
});

test('the model in a thread of its own makes the same frames as the model run in turn', {
  timeout: 300_000,
}, async () => {
  const clip = join(tmp, 'grid-7.mkv');
  spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', GRID, '-frames:v', '7', '-c:v', 'libx264', '-crf', '10', clip]);
  // faces from an alignments file, so that both runs swap the same faces (the video detector's tracking is timed)
  await extract({ input: clip, output: join(tmp, 'grid-7-faces'), identity: false });
  const outs: RgbImage[][] = [];
  for (const modelThread of [true, false]) {
    const dir = join(tmp, `grid-thread-${modelThread}`);
    // groups of 3: two whole and a last one of 1, so that groups overlap and the last is finished alone
    const s = await convert({ input: clip, output: dir, modelDir: model, batch: 3, modelThread });
    assert.deepEqual([s.frames, s.faces], [7, 7]);
    outs.push(
      await Promise.all(
        readdirSync(dir)
          .sort()
          .map((n) => readImage(join(dir, n))),
      ),
    );
  }
  const [threaded, inTurn] = outs as [RgbImage[], RgbImage[]];
  assert.equal(threaded.length, 7);
  threaded.forEach((img, i) => assert.equal(Buffer.compare(img.data, inTurn[i]!.data), 0, `frame ${i} is the same`));
});
