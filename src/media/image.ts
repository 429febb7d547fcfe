/** Reading and writing images with sharp. EXIF orientation is applied on read, so pixels are upright. */
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import type { RgbImage } from '../core/image.js';
import { addPngText } from '../core/png-text.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkRegularFile } from '../io/paths.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif', '.avif'] as const;

export async function readImage(path: string): Promise<RgbImage> {
  if (!existsSync(path)) throw new FaceganError(ErrorCodes.BAD_FILE, `No image at ${path}`);
  checkRegularFile(path);
  return decodeImage(path, path);
}

/** Decodes an image file or its bytes to upright RGB; `name` names it in the error when it is not an image. */
export async function decodeImage(input: string | Buffer, name: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(input)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (e) {
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `${name} is not an image facegan can read (${(e as Error).message.split('\n')[0]})`,
      { cause: e },
    );
  }
}

/** Encodes in the format an extension names (.png, .jpg/.jpeg, .webp), with an XMP packet when given. */
async function encode(image: RgbImage, ext: string, options: { xmp?: string; quality?: number } = {}): Promise<Buffer> {
  let s = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  if (options.xmp) s = s.withXmp(options.xmp);
  const quality = options.quality ?? 95;
  s =
    ext === '.jpg' || ext === '.jpeg'
      ? s.jpeg({ quality, chromaSubsampling: '4:4:4' })
      : ext === '.webp'
        ? s.webp({ quality })
        : s.png({ compressionLevel: 6 });
  return s.toBuffer();
}

/** Encodes as PNG, with optional iTXt text chunks (keyword -> text). */
export async function encodePng(image: RgbImage, text: Record<string, string> = {}): Promise<Buffer> {
  let png = await encode(image, '.png');
  for (const [k, v] of Object.entries(text)) png = addPngText(png, k, v);
  return png;
}

export async function writePng(path: string, image: RgbImage, text: Record<string, string> = {}): Promise<void> {
  writeFileAtomic(path, [await encodePng(image, text)]);
}

export interface Label {
  text: string;
  /** Centre x and baseline y, in pixels of the scaled image. */
  x: number;
  y: number;
}

/** Text made safe inside SVG/XML. */
export const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes an image scaled by a whole `scale` (nearest neighbour, so pixels stay visible), with text labels drawn on. */
export async function writeLabelledPng(
  path: string,
  image: RgbImage,
  labels: readonly Label[],
  scale = 1,
  fontSize = 14,
): Promise<void> {
  const width = image.width * scale,
    height = image.height * scale;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${labels
    .map(
      (l) =>
        `<text x="${l.x}" y="${l.y}" font-family="sans-serif" font-size="${fontSize}" ` +
        `fill="white" text-anchor="middle">${escapeXml(l.text)}</text>`,
    )
    .join('')}</svg>`;
  const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(width, height, { kernel: 'nearest' })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png({ compressionLevel: 6 })
    .toBuffer();
  writeFileAtomic(path, [png]);
}

/**
 * Encodes an image in the format its file name asks for (.png, .jpg/.jpeg, .webp), with an XMP packet when given,
 * and writes it atomically.
 */
export async function writeImage(
  path: string,
  image: RgbImage,
  options: { xmp?: string; quality?: number } = {},
): Promise<void> {
  writeFileAtomic(path, [await encode(image, path.toLowerCase().slice(path.lastIndexOf('.')), options)]);
}

/** Output formats writeImage knows. */
export const WRITABLE_IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

/** The image resized to width x height, aspect not kept (`kernel`: sharp's; linear is the cheaper to shrink by). */
export async function resizeRgb(
  image: RgbImage,
  width: number,
  height: number,
  kernel: 'linear' | 'lanczos3' = 'lanczos3',
): Promise<RgbImage> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const data = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw })
    .resize(width, height, { fit: 'fill', kernel })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The image resized to a square of `side` (Lanczos), inside a black margin of `margin` pixels each way. */
export async function resizeImage(image: RgbImage, side: number, margin = 0): Promise<RgbImage> {
  if (image.width === side && image.height === side && !margin) return image;
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const data = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw })
    .resize(side, side, { kernel: 'lanczos3' })
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  const out = side + 2 * margin;
  return { width: out, height: out, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
