import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pasteCrop } from '../core/paste.js';
import { maskBox } from './swap.js';
import { refineMask, clearBorder } from './masks.js';
import { cat, noGrad, tensor, tidy } from '../engine/index.js';
import { imageToTensor, warpAffine } from '../faces/align.js';
import { invertAffine, type Affine } from '../core/geometry/umeyama.js';
import type { RgbImage } from '../core/image.js';

const W = 160,
  H = 120,
  B = 64;
// a rotated, scaled crop placed partly outside the frame's right edge, so that clipping is exercised too
const angle = 0.3,
  scale = 0.7;
const toCrop: Affine = [
  [scale * Math.cos(angle), scale * Math.sin(angle), -60],
  [-scale * Math.sin(angle), scale * Math.cos(angle), -20],
];
const frame = (): RgbImage => ({
  width: W,
  height: H,
  data: Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 37) % 256),
});
const face = Float32Array.from({ length: 3 * B * B }, (_, i) => ((i * 13) % 97) / 96);
const disc = Float32Array.from({ length: B * B }, (_, p) =>
  Math.hypot((p % B) - 31.5, Math.floor(p / B) - 31.5) < 24 ? 1 : 0,
);
const mask = refineMask(clearBorder(disc, B, 3), B, 0, 0.08);

/** The same paste as tensor ops: the premultiplied RGBA crop warped back over the frame, blended, rounded. */
function pasteWithTensors(target: RgbImage): Uint8Array {
  return noGrad(() =>
    tidy(() => {
      const m = tensor(mask, { shape: [1, 1, B, B] });
      const back = warpAffine(cat([tensor(face, { shape: [1, 3, B, B] }).mul(m), m], 1), invertAffine(toCrop), W, H);
      const under = imageToTensor(target);
      const out = under.mul(back.narrow(1, 3, 1).neg().add(1)).add(back.narrow(1, 0, 3));
      return out.squeeze(0).permute(1, 2, 0).mul(255).round().clamp(0, 255).to('uint8').data() as Uint8Array;
    }),
  );
}

const pasteCropTitle =
  'pasteCrop matches the warp-and-blend of tensor ops to a byte, and leaves every pixel outside the mask alone';
test(pasteCropTitle, () => {
  const original = frame(),
    mine = frame();
  const box = maskBox(mask, B, toCrop, W, H)!;
  assert.ok(box && box.x0 + box.w <= W && box.y0 + box.h <= H, 'the box lies in the frame');
  pasteCrop(mine, face, mask, B, toCrop, box);
  const reference = pasteWithTensors(original);
  let changed = 0,
    worst = 0;
  for (let i = 0; i < mine.data.length; i++) {
    worst = Math.max(worst, Math.abs(mine.data[i]! - reference[i]!));
    if (mine.data[i] !== original.data[i]) changed++;
    if (reference[i] === original.data[i]) continue;
    const p = Math.floor(i / 3),
      x = p % W,
      y = Math.floor(p / W);
    assert.ok(
      x >= box.x0 && x < box.x0 + box.w && y >= box.y0 && y < box.y0 + box.h,
      `pixel ${x},${y} changed outside the box`,
    );
  }
  assert.ok(worst <= 1, `at most one level apart (worst ${worst})`);
  assert.ok(changed > 1000, `the face was pasted (${changed} bytes changed)`);
});

test('maskBox: an empty mask pastes nothing; a crop wholly outside the frame has no box', () => {
  assert.equal(maskBox(new Float32Array(B * B), B, toCrop, W, H), undefined);
  const far: Affine = [
    [1, 0, -1000],
    [0, 1, 0],
  ];
  assert.equal(maskBox(mask, B, far, W, H), undefined);
});
