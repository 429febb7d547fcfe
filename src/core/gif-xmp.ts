/**
 * XMP in GIF files: Adobe's "XMP DataXMP" application extension, how an animated GIF carries the synthetic-media
 * label (ffmpeg's GIF muxer writes no metadata). The packet is stored raw, followed by the 258-byte "magic trailer"
 * that lets GIF readers skip it as if it were data sub-blocks. Pure byte handling.
 */
import { ErrorCodes, FaceganError } from './errors.js';

const APP_ID = Buffer.from('XMP DataXMP', 'latin1');
const TRAILER = Buffer.from([0x01, ...Array.from({ length: 256 }, (_, i) => 0xff - i), 0x00]);

/** Where the first block after the header, screen descriptor and global colour table starts. */
function firstBlock(gif: Buffer): number {
  const sig = gif.subarray(0, 6).toString('latin1');
  if (gif.length < 13 || (sig !== 'GIF89a' && sig !== 'GIF87a'))
    throw new FaceganError(ErrorCodes.BAD_FILE, 'not a GIF file (its signature is missing)');
  const flags = gif[10]!;
  return 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
}

/**
 * The GIF with an XMP packet inserted before its first frame (a GIF87a header becomes GIF89a, which extensions need).
 */
export function addGifXmp(gif: Buffer, xmp: string): Buffer {
  const at = firstBlock(gif);
  const packet = Buffer.from(xmp, 'utf8');
  if (packet.includes(0))
    throw new FaceganError(ErrorCodes.BAD_ARGUMENT, 'an XMP packet for a GIF cannot hold NUL bytes');
  const out = Buffer.concat([
    gif.subarray(0, at),
    Buffer.from([0x21, 0xff, APP_ID.length]),
    APP_ID,
    packet,
    TRAILER,
    gif.subarray(at),
  ]);
  out.write('GIF89a', 0, 'latin1');
  return out;
}

/** The XMP packet of a GIF, if it has one. */
export function readGifXmp(gif: Buffer): string | undefined {
  firstBlock(gif);
  const id = gif.indexOf(Buffer.concat([Buffer.from([0x21, 0xff, APP_ID.length]), APP_ID]));
  if (id < 0) return undefined;
  const start = id + 3 + APP_ID.length;
  const end = gif.indexOf(TRAILER.subarray(0, 3), start);
  return end < 0 ? undefined : gif.subarray(start, end).toString('utf8');
}
