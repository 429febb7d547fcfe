/**
 * npm run bench:convert: frames/s of `facegan convert` on a 720p clip with one face (faces from the alignments
 * file, as faceswap converts), with the original model, against a bare ffmpeg decode + encode of the same clip
 * with the same encoder settings. Target: 25 frames/s (real time). msPerFrame is the profile: main-thread
 * milliseconds per frame in each stage of the frame loop (decode and encode are waits on ffmpeg). The model's weights
 * are from one training step: speed
 * does not depend on how well it is trained.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OptionSchema } from '../src/core/options.js';
import { extract } from '../src/extract/extract.js';
import { train } from '../src/train/trainer.js';
import { convert } from '../src/convert/convert.js';
import { makeClip720p, run } from './extract.js';
import { peakRssMb } from './util.js';
import { StageTimes } from '../src/core/stage-times.js';
import { numThreads, setNumThreads } from '../src/engine/index.js';

export const convertOptions = {
  frames: { type: 'int', help: 'frames in the clip', default: 150, min: 10, max: 250 },
  model: { type: 'string', help: 'model architecture', default: 'original', choices: ['original', 'lightweight'] },
  precision: {
    type: 'string',
    help: 'model precision (auto: bf16 on CPUs with native bf16)',
    default: 'auto',
    choices: ['auto', 'fp32', 'bf16'],
  },
  color: { type: 'string', help: 'colour matching mode', default: 'color-transfer' },
  preset: { type: 'string', help: 'x264 preset', default: 'veryfast' },
  threads: { type: 'int', help: 'model threads (default: every core)', min: 1, max: 256 },
} as const satisfies OptionSchema;

export async function benchConvert(o: {
  frames: number;
  model: string;
  precision: string;
  color: string;
  preset: string;
  threads?: number;
}): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(join(tmpdir(), 'facegan-bench-convert-'));
  try {
    const clip = makeClip720p(tmp, o.frames);
    const alignments = join(tmp, 'clip.alignments.json');
    const faces = join(tmp, 'faces');
    await extract({ input: clip, output: faces, alignments, identity: false });
    // one training step gives a complete model folder; B's faces are the same crops under another folder
    const facesB = join(tmp, 'faces_b');
    mkdirSync(facesB);
    for (const f of readdirSync(faces).slice(0, 8)) symlinkSync(join(faces, f), join(facesB, f));
    const model = join(tmp, 'model');
    await train({
      a: faces,
      b: facesB,
      modelDir: model,
      model: o.model as 'original',
      iterations: 1,
      batchSize: 2,
      previewEvery: 1000,
      saveEvery: 1,
    });

    const t = performance.now();
    run('ffmpeg', [
      '-v',
      'error',
      '-i',
      clip,
      '-map',
      '0:v:0',
      '-c:v',
      'libx264',
      '-crf',
      '18',
      '-preset',
      o.preset,
      '-pix_fmt',
      'yuv420p',
      '-y',
      join(tmp, 'plain.mp4'),
    ]);
    const ffmpegFps = o.frames / ((performance.now() - t) / 1000);
    if (o.threads) setNumThreads(o.threads);
    // the model in turn with the frame loop, then in a thread of its own (the default for videos), one sitting
    const runs: Record<string, Record<string, unknown>> = {};
    for (const modelThread of [false, true]) {
      const t0 = performance.now();
      let first = 0;
      const times = new StageTimes();
      const s = await convert({
        times,
        input: clip,
        output: join(tmp, `swapped-${modelThread}.mp4`),
        modelDir: model,
        alignments,
        precision: o.precision as 'fp32',
        color: o.color as 'none',
        preset: o.preset,
        modelThread,
        onProgress: (p) => {
          if (p.done === 1) first = performance.now();
        },
      });
      const end = performance.now(),
        sec = (end - t0) / 1000;
      runs[modelThread ? 'thread' : 'inTurn'] = {
        frames: s.frames,
        faces: s.faces,
        seconds: Math.round(sec * 10) / 10,
        framesPerSecond: Math.round((s.frames / sec) * 10) / 10,
        framesPerSecondAfterLoad: Math.round(((s.frames - 1) / ((end - first) / 1000)) * 10) / 10,
        msPerFrame: times.per(s.frames),
      };
    }
    const { thread, inTurn } = runs as Record<'thread' | 'inTurn', { framesPerSecond: number }>;
    return {
      bench: 'convert',
      threads: numThreads(),
      clip: `${o.frames} frames 1280x720 h264, one face`,
      model: o.model,
      precision: o.precision,
      color: o.color,
      preset: o.preset,
      ...thread,
      ffmpegDecodeEncodeFps: Math.round(ffmpegFps * 10) / 10,
      ratioToFfmpeg: Math.round((thread.framesPerSecond / ffmpegFps) * 1000) / 1000,
      target: 25,
      modelInTurn: inTurn,
      speedupOfModelThread: Math.round((thread.framesPerSecond / inTurn.framesPerSecond) * 100) / 100,
      peakRssMb: peakRssMb(),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
