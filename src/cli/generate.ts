/** facegan generate -m MODEL_DIR --seeds 0-15 -o OUT [--truncation 0.7] [--grid]: new faces from a StyleGAN model. */
import { defineCommand } from './command.js';
import { STYLEGAN_OPTIONS } from './stylegan-options.js';
import { GENERATE_SCHEMA, SEEDS_OPTION } from '../generate/options.js';
import { progressBar } from './progress.js';
import { useThreads } from './convert.js';
import { generate } from '../generate/generate.js';
import { parseRanges } from '../core/ranges.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export const generateCommand = defineCommand({
  summary: 'new faces from a StyleGAN model: seeds, truncation, grids and style mixing; labelled as generated',
  details: `Examples:
  facegan generate -m stylegan/ --seeds 0-15 -o faces/                 one PNG per seed
  facegan generate -m stylegan/ --seeds 0-63 --truncation 0.7 --grid -o grid.png
  facegan generate -m stylegan/ --mix-rows 0-3 --mix-cols 10-14 --styles 0-3 -o mixing.png

The same seed gives the same image. --truncation pulls each face towards the average (1: as sampled, 0: the average
face for every seed). The mixing grid shows the column seeds along the top and the row seeds down the left; each
cell is its row's face with the styles --styles (0-3: pose and face shape; higher: finer detail, colour) taken from
its column. Every image is labelled in its metadata as wholly generated (IPTC trainedAlgorithmicMedia).`,
  options: {
    ...GENERATE_SCHEMA,
    threads: STYLEGAN_OPTIONS.threads,
    ...SEEDS_OPTION,
    mixRows: { type: 'string', help: 'style mixing: the seeds down the left (their faces)' },
    mixCols: { type: 'string', help: 'style mixing: the seeds along the top (the source of --styles)' },
    styles: { type: 'string', help: 'style mixing: the w layers taken from the column seeds', default: '0-3' },
  },
  async run(o) {
    useThreads(o.threads);
    if (!!o.mixRows !== !!o.mixCols)
      throw new FaceganError(ErrorCodes.USAGE, 'Style mixing needs both --mix-rows and --mix-cols.');
    const styles = parseRanges(o.styles, '--styles');
    const styleMix = o.mixRows
      ? {
          rows: parseRanges(o.mixRows, '--mix-rows', 64),
          cols: parseRanges(o.mixCols!, '--mix-cols', 64),
          styles: [styles[0]!, styles.at(-1)!] as [number, number],
        }
      : undefined;
    const bar = progressBar('generate', 'images');
    const s = await generate({
      modelDir: o.modelDir,
      output: o.output,
      seeds: o.seeds ? parseRanges(o.seeds, '--seeds') : undefined,
      truncation: o.truncation,
      grid: o.grid,
      styleMix,
      device: o.device,
      provenance: o.provenance,
      onProgress: (p) => bar.update(p.done, p.total, ''),
    });
    bar.finish();
    console.log(
      `${s.images} images of ${s.size} px from the model at iteration ${s.iteration}: ` +
        (s.files.length === 1 ? s.files[0] : `${s.files.length} files in ${o.output}`),
    );
  },
});
