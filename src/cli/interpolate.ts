/** facegan interpolate -m MODEL_DIR --seeds 1,2,3 -o walk.mp4: a walk in w between seeds' faces, as a video. */
import { defineCommand } from './command.js';
import { STYLEGAN_OPTIONS, GENERATED_LABEL_OPTION } from './stylegan-options.js';
import { progressBar } from './progress.js';
import { useThreads } from './convert.js';
import { interpolate } from '../generate/interpolate.js';
import { parseRanges } from '../core/ranges.js';

export const interpolateCommand = defineCommand({
  summary: "a video walking from one StyleGAN seed's face to the next (noise held fixed); labelled as generated",
  details: `Examples:
  facegan interpolate -m stylegan/ --seeds 1,2,3 -o walk.mp4
  facegan interpolate -m stylegan/ --seeds 0-7 --seconds-per-seed 1 --truncation 0.7 --resolution 512 -o walk.mp4

w moves in a straight line from seed to seed, eased so that each seed's face is met exactly; the noise stays fixed,
so only the styles change. The model's images are resized to --resolution (default 4x, at most 1024) with Lanczos.`,
  options: {
    ...STYLEGAN_OPTIONS,
    ...GENERATED_LABEL_OPTION,
    output: { type: 'string', short: 'o', help: 'the video (.mp4, .mkv, .mov, .webm)', required: true },
    seeds: { type: 'string', help: 'the seeds to walk through, in order (1,2,3 or 0-7)', required: true },
    secondsPerSeed: { type: 'number', help: 'seconds from one seed to the next', default: 2, min: 0.05, max: 600 },
    fps: { type: 'int', help: 'frames per second', default: 30, min: 1, max: 240 },
    truncation: { type: 'number', help: "truncation psi: 1 as sampled, 0.7 the paper's", default: 1, min: 0, max: 2 },
    resolution: {
      type: 'int',
      help: "side of the video's frames (default: 4x the model's, at most 1024)",
      min: 16,
      max: 4096,
    },
  },
  async run(o) {
    useThreads(o.threads);
    const bar = progressBar('interpolate', 'frames');
    const s = await interpolate({
      ...o,
      seeds: parseRanges(o.seeds, '--seeds', 10_000),
      onProgress: (p) => bar.update(p.done, p.total, ''),
    });
    bar.finish();
    console.log(`${s.frames} frames of ${s.size} px: ${s.path}`);
  },
});
