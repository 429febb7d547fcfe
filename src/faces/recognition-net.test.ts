/**
 * The recognition net on libtorch against face-api's own run of it (tfjs-wasm), the reference: the same descriptors
 * on the chips identity-filter.ts cuts of real faces, one at a time or in a batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '../core/image.js';
import { readImage } from '../media/image.js';
import { sharedData } from '../testing/data.js';
import { faceApi } from './face-api.js';
import { HumanDetector, largestFace } from './human.js';
import { identityChipOfFace } from './identity-filter.js';
import { descriptorDistance } from './identity.js';
import { RECOGNITION_INPUT, recognitionNet } from './recognition-net.js';

test("the recognition net on libtorch gives face-api's descriptors, one chip or a batch", {
  timeout: 300_000,
}, async () => {
  const detector = new HumanDetector({ rotations: false });
  const pick = (person: string, n: number) => {
    const dir = sharedData('faces', person);
    const files = readdirSync(dir).sort();
    return Array.from({ length: n }, (_, i) => join(dir, files[Math.floor((i * files.length) / n)]!));
  };
  const chips: RgbImage[] = [];
  for (const path of [...pick('grid_s1', 3), ...pick('grid_s2', 3), ...pick('obama', 4)]) {
    const image = await readImage(path);
    chips.push(identityChipOfFace(image, largestFace(await detector.detect(image))!.landmarks));
  }
  assert.ok(chips.every((c) => c.width === RECOGNITION_INPUT && c.height === RECOGNITION_INPUT));

  const api = await faceApi('faceRecognitionNet');
  const net = await recognitionNet();
  const batch = net.describe(chips);
  for (const [k, chip] of chips.entries()) {
    const input = api.tf.tensor3d(new Float32Array(chip.data), [150, 150, 3], 'float32');
    const want = Array.from(await api.nets.faceRecognitionNet.computeFaceDescriptor(input));
    input.dispose();
    const [one] = net.describe([chip]);
    assert.equal(one!.length, 128);
    assert.ok(descriptorDistance(one!, want) < 1e-5, `chip ${k}: ${descriptorDistance(one!, want)} from face-api's`);
    assert.ok(descriptorDistance(batch[k]!, one!) < 1e-5, `chip ${k}: the batch's descriptor is the single one's`);
  }
  // the people apart as face-api has them: s1 against Obama well over 0.6
  assert.ok(descriptorDistance(batch[0]!, batch[9]!) > 0.6);
  assert.throws(() => net.describe([{ width: 100, height: 150, data: new Uint8Array(100 * 150 * 3) }]), /150 px/);
  assert.deepEqual(net.describe([]), []);
});
