/**
 * Provenance labels on swapped outputs: the IPTC Digital Source Type "composite with trained algorithmic media",
 * in the XMP packet of images and in the container metadata of videos, and reading it back.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import sharp from 'sharp';
import { readGifXmp } from '../core/gif-xmp.js';
import { VERSION } from '../version.js';
import { escapeXml } from './image.js';

export const DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';
export const SYNTHETIC_NOTE = 'Synthetic: faces swapped by facegan (a trained generative model)';

/** The XMP packet written into swapped images. */
export function provenanceXmp(): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    Iptc4xmpExt:DigitalSourceType="${DIGITAL_SOURCE_TYPE}"
    xmp:CreatorTool="facegan ${VERSION}">
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${SYNTHETIC_NOTE}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/** Container metadata for a swapped video (ffmpeg -metadata key=value pairs). */
export function provenanceTags(): Record<string, string> {
  return { digital_source_type: DIGITAL_SOURCE_TYPE, comment: SYNTHETIC_NOTE, encoded_by: `facegan ${VERSION}` };
}

/** The Digital Source Type an image's XMP declares, if any. */
export async function readImageSourceType(path: string): Promise<string | undefined> {
  const { xmp } = await sharp(path).metadata();
  return sourceTypeIn(xmp?.toString('utf8') ?? '');
}

const sourceTypeIn = (xmp: string) => /DigitalSourceType(?:="|>)([^"<]+)/.exec(xmp)?.[1];

/** The Digital Source Type a video's container metadata (or an animated GIF's XMP) declares, if any. */
export function readVideoSourceType(path: string): string | undefined {
  if (extname(path).toLowerCase() === '.gif') return sourceTypeIn(readGifXmp(readFileSync(path)) ?? '');
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', path], { encoding: 'utf8' });
  const tags = (JSON.parse(r.stdout || '{}') as { format?: { tags?: Record<string, string> } }).format?.tags ?? {};
  return Object.entries(tags).find(([k]) => k.toLowerCase() === 'digital_source_type')?.[1];
}

/** A visible mark: white text on a dark band, as RGBA pixels to lay over frames of one size. */
export interface Overlay { x: number; y: number; width: number; height: number; rgba: Uint8Array }

/** Renders `text` for the bottom-left corner of a width x height frame. */
export async function renderLabel(text: string, width: number, height: number): Promise<Overlay> {
  const size = Math.max(12, Math.round(Math.min(width, height) / 30));
  const w = Math.min(width, Math.round(size * 0.6 * text.length + size)), h = Math.min(height, Math.round(size * 1.6));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="black" fill-opacity="0.55"/>`
    + `<text x="${size / 2}" y="${h - size * 0.45}" font-family="sans-serif" font-size="${size}" fill="white">${escapeXml(text)}</text></svg>`;
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { x: 0, y: height - h, width: w, height: h, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Lays the overlay over an RGB image, in place. */
export function drawOverlay(image: { width: number; data: Uint8Array }, o: Overlay): void {
  for (let y = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++) {
      const s = (y * o.width + x) * 4, d = ((o.y + y) * image.width + o.x + x) * 3, a = o.rgba[s + 3]! / 255;
      for (let c = 0; c < 3; c++) image.data[d + c] = Math.round(image.data[d + c]! * (1 - a) + o.rgba[s + c]! * a);
    }
  }
}
