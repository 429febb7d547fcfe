/**
 * SSD on libtorch against face-api's own run of the same net (tfjs-wasm), the reference: on real photos of every
 * shape (a tall portrait, a wide group of twenty small faces, a GRID frame, a 720p video frame, a picture turned a
 * quarter, a square one needing no resize) both find the same boxes with the same scores, down to eval's floor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';
import { readImage } from '../media/image.js';
import { sharedData } from '../testing/data.js';
import { faceApi } from './face-api.js';
import { SsdNet, type SsdFace } from './ssd-net.js';
import { SsdDetector } from './ssd.js';

/** face-api's detectAllFaces, as eval called it before: the reference. */
async function faceApiSsd(image: RgbImage, minConfidence: number): Promise<SsdFace[]> {
  const api = await faceApi('ssdMobilenetv1');
  const input = api.tf.tensor3d(new Float32Array(image.data), [image.height, image.width, 3], 'float32');
  try {
    const found = await api.detectAllFaces(input, new api.SsdMobilenetv1Options({ minConfidence, maxResults: 20 }));
    return found.map((d) => ({ box: [d.box.x, d.box.y, d.box.width, d.box.height], score: d.score }));
  } finally {
    input.dispose();
  }
}

async function raw(buffer: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(buffer).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const iou = (a: readonly number[], b: readonly number[]) => {
  const w = Math.max(0, Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!));
  return (w * h) / (a[2]! * a[3]! + b[2]! * b[3]! - w * h);
};

test("SSD on libtorch finds face-api's boxes with face-api's scores, on photos of every shape", {
  timeout: 300_000,
}, async () => {
  const obama = sharedData('faces', 'obama');
  const stills = readdirSync(obama).filter((f) => f.startsWith('obama_still_'));
  const frame = readdirSync(obama).find((f) => f.startsWith('obama_wa_'))!;
  const group = sharedData('group', 'flickr_race_ccby_petermooney.jpg');
  const s1 = sharedData('faces', 'grid_s1');
  const cases: [string, RgbImage][] = [
    ['a tall portrait', await readImage(join(obama, stills.sort()[0]!))],
    ['twenty small faces', await readImage(group)],
    ['a GRID frame', await readImage(join(s1, readdirSync(s1).sort()[0]!))],
    ['a 720p frame', await readImage(join(obama, frame))],
    ['the group turned a quarter', await raw(await sharp(group).rotate(90).toBuffer())],
    ['a square of 512', await raw(await sharp(group).resize(512, 512, { fit: 'cover' }).toBuffer())],
  ];
  const net = await SsdNet.load();
  let boxes = 0;
  for (const [name, image] of cases) {
    const want = await faceApiSsd(image, 0.05);
    const got = net.detect(image, 0.05, 20);
    assert.equal(got.length, want.length, `${name}: ${got.length} boxes, face-api ${want.length}`);
    // one to one, in face-api's order (best first): the same box to a hundredth of a pixel, the same score to 1e-4
    want.forEach((w, k) => {
      const g = got[k]!;
      const off = Math.max(...w.box.map((v, i) => Math.abs(v - g.box[i]!)));
      assert.ok(off < 0.01 && iou(g.box, w.box) > 0.999, `${name} #${k}: ${g.box} against ${w.box}`);
      assert.ok(Math.abs(g.score - w.score) < 1e-4, `${name} #${k}: score ${g.score} against ${w.score}`);
    });
    assert.ok(
      want.some((w) => w.score >= 0.5),
      `${name}: a face found`,
    );
    boxes += want.length;
  }
  assert.ok(boxes >= 40, `boxes compared: ${boxes}`);
  // nothing in grey, and the options hold: a higher floor and fewer results
  assert.deepEqual(net.detect({ width: 300, height: 200, data: new Uint8Array(300 * 200 * 3).fill(128) }), []);
  const [, group20] = cases[1]!;
  const few = net.detect(group20, 0.8, 3);
  assert.deepEqual(few, net.detect(group20, 0.05, 20).slice(0, 3), 'the best three');
  assert.ok(few.every((f) => f.score > 0.8));
});

test("extract's SSD detector: face-api's boxes and 68 landmarks (withFaceLandmarks), with faces at the edges", {
  timeout: 300_000,
}, async () => {
  const api = await faceApi('ssdMobilenetv1', 'faceLandmark68Net');
  const detector = new SsdDetector({ rotations: false, minConfidence: 0.3 });
  const crew = await readImage(sharedData('group', 'nasa_sts106_crew.jpg'));
  // the crew cut through faces at the right and the bottom, so that boxes reach past the picture (into SSD's black
  // padding below it), clipped before the landmarks are read
  const [width, height] = [Math.round(crew.width * 0.37), Math.round(crew.height * 0.5)];
  const cut = await raw(
    await sharp(sharedData('group', 'nasa_sts106_crew.jpg'))
      .extract({ left: Math.round(crew.width * 0.3), top: 0, width, height })
      .toBuffer(),
  );
  let faces = 0;
  for (const [name, image] of [['the crew', crew] as const, ['the crew cut', cut] as const]) {
    const input = api.tf.tensor3d(new Float32Array(image.data), [image.height, image.width, 3], 'float32');
    const want = await api
      .detectAllFaces(input, new api.SsdMobilenetv1Options({ minConfidence: 0.3, maxResults: 50 }))
      .withFaceLandmarks();
    input.dispose();
    const got = await detector.findUpright(image);
    assert.equal(got.length, want.length, name);
    for (const w of want) {
      const wb = [w.detection.box.x, w.detection.box.y, w.detection.box.width, w.detection.box.height];
      const g = got.find((f) => iou(f.box, wb) > 0.99);
      assert.ok(g, `${name}: a face at ${wb}`);
      const off = Math.max(
        ...w.landmarks.positions.map((p, i) => Math.hypot(p.x - g.landmarks[i]![0], p.y - g.landmarks[i]![1])),
      );
      assert.ok(off < 0.5, `${name}: landmarks ${off.toFixed(3)} px from face-api's`);
      assert.equal(g.detector, 'ssd');
    }
    faces += want.length;
    if (image === cut)
      assert.ok(
        got.some((f) => f.box[1] + f.box[3] > height && f.score >= 0.5),
        'a box past the edge',
      );
  }
  assert.ok(faces >= 10, `faces compared: ${faces}`);
});
