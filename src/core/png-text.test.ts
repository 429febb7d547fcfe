import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { addPngText, readPngText, crc32 } from './png-text.js';
import { ErrorCodes } from './errors.js';
import { assertFails } from '../testing/assert.js';

/** A valid 1x1 grey PNG built by hand. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 128]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('crc32 of a known string', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('text round-trips, UTF-8 included, and other keywords are independent', () => {
  const png = addPngText(addPngText(tinyPng(), 'facegan', '{"name":"Zoë ✓"}'), 'other', 'x');
  assert.equal(readPngText(png, 'facegan'), '{"name":"Zoë ✓"}');
  assert.equal(readPngText(png, 'other'), 'x');
  assert.equal(readPngText(png, 'missing'), undefined);
  assert.ok(png.subarray(-12).toString('latin1').includes('IEND'), 'IEND stays last');
});

test('non-PNG bytes are refused', () => {
  assertFails(() => readPngText(Buffer.from('GIF89a....'), 'facegan'), ErrorCodes.BAD_FILE, /not a PNG/);
});
