/**
 * npm run bench -- extract: frames/s and faces/s of `facegan extract` on a 720p clip (made with ffmpeg from the
 * shared Obama frames), against the frames/s of a bare ffmpeg decode of the same clip. Target: 15 frames/s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OptionSchema } from '../src/core/options.js';
import { sharedData } from '../src/testing/data.js';
import { extract } from '../src/extract/extract.js';
import { DETECTOR_IDS, type DetectorId } from '../src/faces/detected.js';
import { peakRssMb } from './util.js';
import { StageTimes } from '../src/core/stage-times.js';

export const extractOptions = {
  frames: { type: 'int', help: 'frames in the clip', default: 150, min: 10, max: 250 },
  redetectEvery: { type: 'int', help: 'full detection every n frames (tracking in between)', default: 10, min: 1 },
  identity: { type: 'boolean', help: 'compute identity descriptors (on detection frames)', default: true },
  threads: {
    type: 'boolean',
    help: 'detect in a worker thread beside the rest (--no-threads: one thread)',
    default: true,
  },
  detector: { type: 'string', help: 'face detector (human, ssd or both)', default: 'human', choices: DETECTOR_IDS },
} as const satisfies OptionSchema;

export function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
}

/** A 720p H.264 clip of `frames` frames at 30 fps, one face, made from the shared Obama frames. */
export function makeClip720p(tmp: string, count: number): string {
  const src = sharedData('faces', 'obama');
  const frames = join(tmp, 'frames');
  mkdirSync(frames);
  readdirSync(src)
    .filter((f) => f.startsWith('obama_wa_'))
    .sort()
    .slice(0, count)
    .forEach((f, i) => symlinkSync(join(src, f), join(frames, `${String(i).padStart(4, '0')}.jpg`)));
  const clip = join(tmp, 'obama_720p.mp4');
  run('ffmpeg', [
    '-v',
    'error',
    '-framerate',
    '30',
    '-i',
    join(frames, '%04d.jpg'),
    '-vf',
    'scale=1280:720',
    '-c:v',
    'libx264',
    '-preset',
    'fast',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  return clip;
}

export async function benchExtract(o: {
  frames: number;
  redetectEvery: number;
  identity: boolean;
  threads: boolean;
  detector: DetectorId;
}): Promise<Record<string, unknown>> {
  const tmp = mkdtempSync(join(tmpdir(), 'facegan-bench-extract-'));
  try {
    const clip = makeClip720p(tmp, o.frames);
    let t = performance.now();
    run('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-y', '/dev/null']);
    const decodeFps = o.frames / ((performance.now() - t) / 1000);
    t = performance.now();
    let firstDone = 0;
    const times = new StageTimes();
    const s = await extract({
      times,
      input: clip,
      output: join(tmp, 'faces'),
      alignments: join(tmp, 'a.json'),
      redetectEvery: o.redetectEvery,
      identity: o.identity,
      threads: o.threads,
      detector: o.detector,
      onProgress: (p) => {
        if (p.done === 1) firstDone = performance.now();
      },
    });
    const end = performance.now(),
      sec = (end - t) / 1000;
    const steady = (s.frames - 1) / ((end - firstDone) / 1000);
    return {
      bench: 'extract',
      clip: `${o.frames} frames 1280x720 h264`,
      detector: o.detector,
      frames: s.frames,
      faces: s.faces,
      seconds: Math.round(sec * 10) / 10,
      framesPerSecond: Math.round((s.frames / sec) * 10) / 10,
      framesPerSecondAfterLoad: Math.round(steady * 10) / 10,
      facesPerSecond: Math.round((s.faces / sec) * 10) / 10,
      ffmpegDecodeFps: Math.round(decodeFps),
      redetectEvery: o.redetectEvery,
      identity: o.identity,
      threads: o.threads,
      peakRssMb: peakRssMb(),
      msPerFrame: times.per(s.frames),
      note:
        'framesPerSecond includes loading the face models (about 2 s); ' +
        'framesPerSecondAfterLoad starts at the first frame',
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
