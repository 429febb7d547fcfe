/** facegan interpolate -m MODEL_DIR --seeds 1,2,3 -o walk.mp4: a walk in w between seeds' faces, as a video. */
import { defineCommand } from './command.js';
import { STYLEGAN_OPTIONS } from './stylegan-options.js';
import { INTERPOLATE_SCHEMA, SEEDS_OPTION } from '../generate/options.js';
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
    ...INTERPOLATE_SCHEMA,
    threads: STYLEGAN_OPTIONS.threads,
    seeds: { ...SEEDS_OPTION.seeds, help: 'the seeds to walk through, in order (1,2,3 or 0-7)', required: true },
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
