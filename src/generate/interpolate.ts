/**
 * facegan interpolate: a smooth walk through w from one seed's face to the next, with the noise held fixed, written
 * as a video labelled as wholly generated. Between keyframes w moves along a straight line with smoothstep easing,
 * so each seed's face is met exactly and held for a moment.
 */
import { extname } from 'node:path';
import { checkGiven } from '../core/options.js';
import { INTERPOLATE_SCHEMA } from './options.js';
import { type Tensor, cat, noGrad, resolveDevice, tidy } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { VideoWriter } from '../media/video-writer.js';
import { resizeImage } from '../media/image.js';
import { provenanceTags } from '../media/provenance.js';
import { loadStyleGan } from '../models/stylegan/load.js';
import { zOfSeeds } from '../train/stylegan/family.js';
import { toImages } from './generate.js';
import { progressMeter, type OnProgress } from '../core/progress.js';

export interface InterpolateOptions {
  modelDir: string;
  /** A video file (.mp4, .mkv, .webm). */
  output: string;
  /** The keyframes, two or more. */
  seeds: number[];
  secondsPerSeed?: number;
  fps?: number;
  truncation?: number;
  /** Side of the video's frames (the model's images are resized with Lanczos); default 4 x the model's, to 1024. */
  resolution?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  provenance?: boolean;
  /** Frames made of all. */
  onProgress?: OnProgress;
}

/** Where frame f of a walk with `perSeed` frames between keyframes lies: [segment, eased weight in 0..1]. */
export function walkPosition(f: number, perSeed: number): [number, number] {
  const k = Math.floor(f / perSeed),
    t = f / perSeed - k;
  return [k, t * t * (3 - 2 * t)];
}

const VIDEO_EXTENSIONS = ['.mp4', '.mkv', '.mov', '.webm'];
const CHUNK = 16;

/**
 * A video walking through the seeds' faces in w (noise held fixed), eased so that each seed's face is met exactly;
 * labelled as generated.
 * @example
 * await interpolate({ modelDir: 'stylegan/', seeds: [1, 2, 3], output: 'walk.mp4', secondsPerSeed: 2 });
 */
export async function interpolate(o: InterpolateOptions): Promise<{ path: string; frames: number; size: number }> {
  checkGiven(INTERPOLATE_SCHEMA, o as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const progress = progressMeter('interpolate', 'frames', o.onProgress);
  if (o.seeds.length < 2)
    throw new FaceganError(ErrorCodes.USAGE, 'Expected two or more --seeds to walk between (e.g. 1,2,3).');
  if (!VIDEO_EXTENSIONS.includes(extname(o.output).toLowerCase())) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Expected a video file (${VIDEO_EXTENSIONS.join(', ')}) for -o but received ${o.output}.`,
    );
  }
  const fps = o.fps ?? 30,
    perSeed = Math.max(1, Math.round((o.secondsPerSeed ?? 2) * fps));
  const device = resolveDevice(o.device ?? 'auto');
  const { generator: G, spec } = loadStyleGan(o.modelDir, device, 'interpolate');
  const side = o.resolution ?? Math.min(1024, spec.size * 4);
  if (side % 2)
    throw new FaceganError(ErrorCodes.USAGE, `Expected an even --resolution (H.264 needs one) but received ${side}.`);
  const total = (o.seeds.length - 1) * perSeed + 1;
  const keys = tidy(() => noGrad(() => G.ws(zOfSeeds(o.seeds, spec.zDim).to({ device }), { psi: o.truncation ?? 1 })));
  const writer = new VideoWriter({
    path: o.output,
    width: side,
    height: side,
    fps: String(fps),
    crf: 18,
    preset: 'veryfast',
    metadata: o.provenance === false ? undefined : provenanceTags('generated'),
  });
  try {
    for (let f0 = 0; f0 < total; f0 += CHUNK) {
      const frames = tidy(() =>
        noGrad(() => {
          const ws: Tensor[] = [];
          for (let f = f0; f < Math.min(total, f0 + CHUNK); f++) {
            const [k, t] = walkPosition(f, perSeed);
            const a = keys.narrow(0, Math.min(k, o.seeds.length - 1), 1);
            ws.push(k >= o.seeds.length - 1 ? a : a.lerp(keys.narrow(0, k + 1, 1), t));
          }
          return toImages(G.synthesis.forward(cat(ws, 0), 'const'));
        }),
      );
      for (const frame of frames) await writer.write(await resizeImage(frame, side));
      progress(Math.min(total, f0 + CHUNK), total);
    }
    const done = await writer.finish();
    return { path: done.path, frames: done.frames, size: side };
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    keys.dispose();
    G.dispose();
  }
}
