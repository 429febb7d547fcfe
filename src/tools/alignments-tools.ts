/**
 * facegan alignments list|remove|draw: small tools on an alignments file, as faceswap has them.
 * - list: what it holds (frames, faces, frames without a face, faces per frame).
 * - remove: drop the faces whose crops were deleted from the faces folder (delete bad crops by eye, then run this
 *   so that convert skips them too). The file is rewritten atomically, after a backup copy beside it.
 * - draw: the frames with each face's box and 68 landmarks drawn on, as PNGs in another folder.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Alignments } from '../core/alignments.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { sameFile } from '../io/paths.js';
import { lockAt } from '../io/lock.js';
import { readAlignmentsFile } from '../io/alignments-file.js';
import { writeFileAtomic } from '../io/atomic.js';
import { inputKind, listFrames } from '../media/frames.js';
import { progressMeter, type OnProgress } from '../core/progress.js';

function load(path: string): Alignments {
  if (!existsSync(path))
    throw new FaceganError(
      ErrorCodes.BAD_FILE,
      `No alignments file at ${path}: give the file facegan extract wrote (-a).`,
    );
  return readAlignmentsFile(path);
}

export interface AlignmentsListing {
  input: string;
  schemaVersion: number;
  frames: number;
  faces: number;
  framesWithoutFaces: number;
  /** Number of frames by how many faces they hold. */
  facesPerFrame: Record<string, number>;
  crop: { size: number; coverage: number };
}

export function listAlignments(path: string): AlignmentsListing {
  const doc = load(path);
  const frames = Object.values(doc.frames);
  const perFrame: Record<string, number> = {};
  for (const f of frames) perFrame[f.faces.length] = (perFrame[f.faces.length] ?? 0) + 1;
  return {
    input: doc.input.path,
    schemaVersion: doc.schemaVersion,
    frames: frames.length,
    faces: frames.reduce((s, f) => s + f.faces.length, 0),
    framesWithoutFaces: perFrame[0] ?? 0,
    facesPerFrame: perFrame,
    crop: doc.crop,
  };
}

/** The next free numbered backup of a file: FILE.bak, then FILE.1.bak, FILE.2.bak... (none is ever replaced). */
export function nextBackup(path: string): string {
  if (!existsSync(`${path}.bak`)) return `${path}.bak`;
  let n = 1;
  while (existsSync(`${path}.${n}.bak`)) n++;
  return `${path}.${n}.bak`;
}

/**
 * Drops the faces whose crop is no longer in `facesDir`; returns the counts and where the backup went. Removing
 * more than half the faces (another person's folder given by mistake?) needs `yes`.
 */
export function removeMissingFaces(
  path: string,
  facesDir: string,
  yes = false,
): { kept: number; removed: number; backup?: string } {
  const doc = load(path);
  if (!existsSync(facesDir) || !statSync(facesDir).isDirectory())
    throw new FaceganError(ErrorCodes.BAD_FILE, `No faces folder at ${facesDir}: give the folder of crops (--faces).`);
  const present = new Set(readdirSync(facesDir).filter((f) => !f.startsWith('.')));
  if (!present.size)
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${facesDir} is empty: removing every face is surely a mistake (wrong folder?).`,
    );
  let kept = 0,
    removed = 0;
  for (const frame of Object.values(doc.frames)) {
    const keep = frame.faces.filter((f) => !f.crop || present.has(f.crop));
    removed += frame.faces.length - keep.length;
    kept += keep.length;
    frame.faces = keep;
  }
  if (!removed) return { kept, removed };
  if (removed > kept && !yes) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${facesDir} holds the crops of only ${kept} of the ${kept + removed} faces in ${path}: ` +
        `removing ${removed} is more ` +
        "than half. If that is what you want, run it again with --yes; else check --faces (another person's folder?).",
    );
  }
  const release = lockAt(`${path}.lock`, `The alignments file ${path}`); // not while an extract writes it
  try {
    const backup = nextBackup(path);
    copyFileSync(path, backup);
    writeFileAtomic(path, [JSON.stringify(doc)]);
    return { kept, removed, backup };
  } finally {
    release();
  }
}

/** Writes each frame that has faces, with boxes and landmarks drawn, as OUT/KEY.png; returns how many. */
export async function drawAlignments(
  path: string,
  input: string,
  outDir: string,
  options: { signal?: AbortSignal; onProgress?: OnProgress } = {},
): Promise<number> {
  const progress = progressMeter('alignments', 'frames', options.onProgress);
  const doc = load(path);
  const abs = resolve(input);
  const kind = inputKind(abs);
  if (sameFile(outDir, abs)) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      'The output folder is the input (or a link to it): draw writes new images; give another -o.',
    );
  }
  mkdirSync(outDir, { recursive: true });
  const { total, frames } = listFrames(abs, kind, 1, options.signal);
  let done = 0,
    written = 0;
  for await (const frame of frames) {
    if (options.signal?.aborted) break;
    done++;
    const rec = doc.frames[frame.key];
    if (!rec?.faces.length || !frame.isImage) continue;
    const image = await frame.image();
    const r = Math.max(1.5, Math.min(image.width, image.height) / 300);
    // numbers only: a value that is not one (a hand-edited or hostile file) cannot put markup into the overlay
    const n = (v: unknown) => (Number.isFinite(Number(v)) ? Number(v) : 0);
    const shapes = rec.faces
      .map((f, i) => {
        const [x0, y0, w, h] = f.box.map(n) as [number, number, number, number];
        const box =
          `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" ` + `fill="none" stroke="#0f0" stroke-width="${r}"/>`;
        const dots = f.landmarks.map(([x, y]) => `<circle cx="${n(x)}" cy="${n(y)}" r="${r}" fill="#f0f"/>`).join('');
        const label =
          `<text x="${x0}" y="${Math.max(12 * r, y0 - 3 * r)}" ` +
          `font-family="sans-serif" font-size="${12 * r}" fill="#0f0">${i}</text>`;
        return box + dots + label;
      })
      .join('');
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">` + `${shapes}</svg>`;
    const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
      raw: { width: image.width, height: image.height, channels: 3 },
    })
      .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
      .png({ compressionLevel: 6 })
      .toBuffer();
    writeFileAtomic(join(outDir, `${frame.key.replace(/\.[^.]+$/, '')}.png`), [png]);
    written++;
    progress(done, total);
  }
  return written;
}
