/**
 * PNG text chunks (iTXt, UTF-8): how each extracted face carries its own record, so that a folder of crops is all
 * training needs. Pure byte handling: insert before IEND, read back by keyword.
 */
import { ErrorCodes, FaceganError } from './errors.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

interface Chunk {
  type: string;
  start: number;
  data: Buffer;
}

function* chunks(png: Buffer): Generator<Chunk> {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE))
    throw new FaceganError(ErrorCodes.BAD_FILE, 'not a PNG file (its signature is missing)');
  let off = 8;
  while (off + 12 <= png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    if (off + 12 + len > png.length)
      throw new FaceganError(ErrorCodes.BAD_FILE, `PNG chunk ${type} runs past the end of the file`);
    yield { type, start: off, data: png.subarray(off + 8, off + 8 + len) };
    off += 12 + len;
  }
}

/** A copy of the PNG with an iTXt chunk `keyword` = text inserted before IEND. */
export function addPngText(png: Buffer, keyword: string, text: string): Buffer {
  const iend = [...chunks(png)].find((c) => c.type === 'IEND');
  if (!iend) throw new FaceganError(ErrorCodes.BAD_FILE, 'PNG has no IEND chunk');
  // keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return Buffer.concat([png.subarray(0, iend.start), chunk('iTXt', data), png.subarray(iend.start)]);
}

/** The text of the first uncompressed iTXt or tEXt chunk named `keyword`, or undefined. */
export function readPngText(png: Buffer, keyword: string): string | undefined {
  for (const c of chunks(png)) {
    if (c.type !== 'iTXt' && c.type !== 'tEXt') continue;
    const nul = c.data.indexOf(0);
    if (c.data.toString('latin1', 0, nul) !== keyword) continue;
    if (c.type === 'tEXt') return c.data.toString('latin1', nul + 1);
    if (c.data[nul + 1] !== 0) continue; // compressed iTXt: not written by facegan
    let p = nul + 3;
    p = c.data.indexOf(0, p) + 1; // language tag
    p = c.data.indexOf(0, p) + 1; // translated keyword
    return c.data.toString('utf8', p);
  }
  return undefined;
}
