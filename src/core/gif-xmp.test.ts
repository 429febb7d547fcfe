import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { addGifXmp, readGifXmp } from './gif-xmp.js';

const gifOf = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .gif()
    .toBuffer();

test('an XMP packet put in a GIF reads back, and the GIF still decodes to the same pixels', async () => {
  const gif = await gifOf(20, 10);
  assert.equal(readGifXmp(gif), undefined);
  const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/">é DigitalSourceType="x"</x:xmpmeta>';
  const labelled = addGifXmp(gif, xmp);
  assert.equal(readGifXmp(labelled), xmp);
  const [a, b] = await Promise.all([gif, labelled].map((g) => sharp(g).raw().toBuffer({ resolveWithObject: true })));
  assert.deepEqual([b!.info.width, b!.info.height], [20, 10]);
  assert.ok(a!.data.equals(b!.data), 'the frames are untouched');
});

test('a file that is not a GIF is refused', () => {
  assert.throws(() => addGifXmp(Buffer.from('not a gif at all'), 'x'), /not a GIF/);
  assert.throws(() => addGifXmp(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'a\0b'), /NUL/);
});
