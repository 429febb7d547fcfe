/**
 * facegan generate: new faces from a StyleGAN model's EMA generator. A seed always gives the same image (z is drawn
 * from the seed, noise is the model's fixed noise), truncation pulls w towards the mean (0: the mean face for every
 * seed), and a style-mixing grid puts the coarse styles of one set of seeds on the images of another. Every file is
 * labelled as wholly generated (IPTC trainedAlgorithmicMedia) and written atomically.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { checkGiven } from '../core/options.js';
import { GENERATE_SCHEMA } from './options.js';
import { extname, join } from 'node:path';
import { type Tensor, cat, noGrad, resolveDevice, tidy } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { RgbImage } from '../core/image.js';
import { writeImage, WRITABLE_IMAGE_EXTENSIONS } from '../media/image.js';
import { provenanceXmp } from '../media/provenance.js';
import { loadStyleGan } from '../models/stylegan/load.js';
import type { StyleGenerator } from '../models/stylegan/index.js';
import { zOfSeeds } from '../train/stylegan/family.js';
import { progressMeter, type OnProgress } from '../core/progress.js';

export interface StyleMix {
  /** Seeds down the left: each row keeps their styles but `styles`. */
  rows: number[];
  /** Seeds along the top: the source of the styles `styles`. */
  cols: number[];
  /** The w layers taken from the column seeds, inclusive (0-3: the coarse ones, pose and face shape). */
  styles: [number, number];
}

export interface GenerateOptions {
  modelDir: string;
  /** A folder (one PNG per seed) or, with grid or styleMix, an image file. */
  output: string;
  seeds?: number[];
  /** 1: as sampled; below 1 nearer the mean face (the paper's 0.7 trades variety for quality). */
  truncation?: number;
  grid?: boolean;
  styleMix?: StyleMix;
  device?: 'auto' | 'cpu' | 'cuda';
  /** Label the files as generated (IPTC trainedAlgorithmicMedia); default true. */
  provenance?: boolean;
  /** Images made of all. */
  onProgress?: OnProgress;
}

export interface GenerateSummary {
  files: string[];
  images: number;
  size: number;
  iteration: number;
}

const CHUNK = 16;

/** Images [N, 3, S, S] in -1..1 as interleaved 8-bit RGB. */
export function toImages(x: Tensor): RgbImage[] {
  const [n, , s] = x.shape as [number, number, number, number];
  const data = tidy(
    () =>
      x
        .add(1)
        .mul(127.5)
        .round()
        .clamp(0, 255)
        .to({ device: 'cpu', dtype: 'uint8' })
        .permute(0, 2, 3, 1)
        .contiguous()
        .data() as Uint8Array,
  );
  return Array.from({ length: n }, (_, i) => ({
    width: s,
    height: s,
    data: data.slice(i * s * s * 3, (i + 1) * s * s * 3),
  }));
}

/** Images laid out in rows of `cols` (blank cells stay black). */
export function gridOf(images: (RgbImage | undefined)[], cols: number, size: number): RgbImage {
  const rows = Math.ceil(images.length / cols);
  const out = { width: cols * size, height: rows * size, data: new Uint8Array(cols * size * rows * size * 3) };
  images.forEach((img, k) => {
    if (!img) return;
    const x0 = (k % cols) * size,
      y0 = Math.floor(k / cols) * size;
    for (let y = 0; y < size; y++)
      out.data.set(img.data.subarray(y * size * 3, (y + 1) * size * 3), ((y0 + y) * out.width + x0) * 3);
  });
  return out;
}

function checkOutput(output: string, file: boolean): void {
  if (file) {
    const ext = extname(output).toLowerCase();
    if (!(WRITABLE_IMAGE_EXTENSIONS as readonly string[]).includes(ext)) {
      throw new FaceganError(
        ErrorCodes.USAGE,
        `Expected an image file (${WRITABLE_IMAGE_EXTENSIONS.join(', ')}) for the grid's -o but received ${output}.`,
      );
    }
  } else if (existsSync(output) && !statSync(output).isDirectory()) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${output} is a file: -o takes a folder for one image per seed (or add --grid to write one image).`,
    );
  }
}

function generateChunked(
  G: StyleGenerator,
  seeds: number[],
  psi: number,
  device: string,
  onChunk: (images: RgbImage[]) => void,
): void {
  for (let i = 0; i < seeds.length; i += CHUNK) {
    const part = seeds.slice(i, i + CHUNK);
    const x = tidy(() =>
      noGrad(() => G.forward(zOfSeeds(part, G.spec.zDim).to({ device: device as 'cpu' }), { psi, noise: 'const' })),
    );
    onChunk(toImages(x));
    x.dispose();
  }
}

/** The style-mixing grid: the first row the column seeds, the first column the row seeds, each cell mixed. */
function mixGrid(G: StyleGenerator, mix: StyleMix, psi: number, device: string): { grid: RgbImage; images: number } {
  const [from, to] = mix.styles;
  if (!(from >= 0 && to >= from && to < G.numWs)) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Expected --styles within 0-${G.numWs - 1} (this model's w layers) but received ${from}-${to}.`,
    );
  }
  const images = tidy(() =>
    noGrad(() => {
      const z = (seeds: number[]) => zOfSeeds(seeds, G.spec.zDim).to({ device: device as 'cpu' });
      const rowWs = G.ws(z(mix.rows), { psi }),
        colWs = G.ws(z(mix.cols), { psi });
      const cells: Tensor[] = [];
      mix.rows.forEach((_, r) =>
        mix.cols.forEach((_, c) => {
          const row = rowWs.narrow(0, r, 1),
            col = colWs.narrow(0, c, 1);
          const parts = [
            row.narrow(1, 0, from),
            col.narrow(1, from, to - from + 1),
            row.narrow(1, to + 1, G.numWs - to - 1),
          ];
          cells.push(
            cat(
              parts.filter((p) => p.shape[1]! > 0),
              1,
            ),
          );
        }),
      );
      const synth = (ws: Tensor) => toImages(G.synthesis.forward(ws, 'const'));
      return { rows: synth(rowWs), cols: synth(colWs), cells: synth(cat(cells, 0)) };
    }),
  );
  const cols = mix.cols.length + 1;
  const layout: (RgbImage | undefined)[] = [undefined, ...images.cols];
  mix.rows.forEach((_, r) =>
    layout.push(images.rows[r], ...images.cells.slice(r * mix.cols.length, (r + 1) * mix.cols.length)),
  );
  return { grid: gridOf(layout, cols, G.spec.size), images: images.cells.length };
}

/**
 * New faces from a StyleGAN model folder: one PNG per seed, a grid, or a style-mixing grid; every image is labelled
 * as wholly generated (IPTC trainedAlgorithmicMedia). The same seed gives the same image.
 * @example
 * await generate({ modelDir: 'stylegan/', seeds: [0, 1, 2, 3], truncation: 0.7, grid: true, output: 'grid.png' });
 */
export async function generate(o: GenerateOptions): Promise<GenerateSummary> {
  checkGiven(GENERATE_SCHEMA, o as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const progress = progressMeter('generate', 'images', o.onProgress);
  const psi = o.truncation ?? 1;
  const seeds = o.seeds ?? [];
  if (!o.styleMix && !seeds.length)
    throw new FaceganError(ErrorCodes.USAGE, 'Expected --seeds (e.g. 0-15) or --style-mix.');
  checkOutput(o.output, !!(o.grid || o.styleMix));
  const device = resolveDevice(o.device ?? 'auto');
  const { generator: G, spec, iteration } = loadStyleGan(o.modelDir, device);
  const xmp = o.provenance === false ? undefined : provenanceXmp('generated');
  try {
    if (o.styleMix) {
      const { grid, images } = mixGrid(G, o.styleMix, psi, device);
      await writeImage(o.output, grid, { xmp });
      return { files: [o.output], images, size: spec.size, iteration };
    }
    const all: RgbImage[] = []; // the grid's images (the count alone otherwise)
    let done = 0;
    const files: string[] = [];
    if (!o.grid) mkdirSync(o.output, { recursive: true });
    const pending: Promise<void>[] = [];
    generateChunked(G, seeds, psi, device, (images) => {
      images.forEach((img, k) => {
        const seed = seeds[done + k]!;
        if (!o.grid) {
          const file = join(o.output, `seed${String(seed).padStart(4, '0')}.png`);
          files.push(file);
          pending.push(writeImage(file, img, { xmp }));
        }
      });
      if (o.grid) all.push(...images);
      done += images.length;
      progress(done, seeds.length);
    });
    await Promise.all(pending);
    if (o.grid) {
      await writeImage(o.output, gridOf(all, Math.ceil(Math.sqrt(all.length)), spec.size), { xmp });
      files.push(o.output);
    }
    return { files, images: done, size: spec.size, iteration };
  } finally {
    G.dispose();
  }
}
