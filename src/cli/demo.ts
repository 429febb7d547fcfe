/**
 * facegan demo: the whole pipeline on the sample photos that ship inside the @vladmandic/face-api package
 * (nothing is downloaded): extract their faces, train a small model for a few minutes, swap a photo.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineCommand } from './command.js';
import { progressBar } from './progress.js';
import { packageDir } from '../faces/tfjs.js';
import { extract } from '../extract/extract.js';
import { train } from '../train/trainer.js';
import { convert } from '../convert/convert.js';

export const demoCommand = defineCommand({
  summary: 'run extract, a short train and convert on the sample photos inside the face-api package',
  details: `Writes everything under --out (default out/demo): photos_a/ and photos_b/ (the samples, split in two),
faces_a/ and faces_b/ (aligned crops), model/ (with previews/preview.png), and swapped/ (the converted photos,
labelled as synthetic). The samples are group photos of different people, so the "swap" shows the pipeline at
work, not a convincing result: for that, train on a few hundred faces of two people for hours.`,
  options: {
    out: { type: 'string', help: "folder for the demo's files", default: 'out/demo' },
    iterations: { type: 'int', help: 'training iterations', default: 400, min: 1 },
  },
  async run(o) {
    const out = resolve(o.out);
    const samples = join(packageDir('@vladmandic/face-api'), 'demo');
    const photos = readdirSync(samples)
      .filter((f) => /^sample\d+\.jpg$/.test(f))
      .sort();
    const half = Math.ceil(photos.length / 2);
    const sides = { a: photos.slice(0, half), b: photos.slice(half) };
    for (const [side, files] of Object.entries(sides)) {
      mkdirSync(join(out, `photos_${side}`), { recursive: true });
      for (const f of files) copyFileSync(join(samples, f), join(out, `photos_${side}`, f));
    }
    for (const side of ['a', 'b'] as const) {
      const s = await extract({
        input: join(out, `photos_${side}`),
        output: join(out, `faces_${side}`),
        alignments: join(out, `photos_${side}.alignments.json`),
        size: 128,
        identity: false,
      });
      console.log(`extract ${side.toUpperCase()}: ${s.faces} faces from ${s.frames} photos`);
    }
    const bar = progressBar('train', 'it');
    let start: number | undefined;
    const t = await train({
      a: join(out, 'faces_a'),
      b: join(out, 'faces_b'),
      modelDir: join(out, 'model'),
      model: 'lightweight', // with its own defaults: lr, batch and loss
      iterations: o.iterations,
      precision: 'auto',
      saveEvery: 100,
      previewEvery: 100,
      onProgress: (p) => {
        start ??= p.done - 1;
        bar.update(
          p.done - start,
          p.total - start,
          `loss A ${p.figures.lossA!.toFixed(3)} B ${p.figures.lossB!.toFixed(3)}`,
        );
      },
    });
    bar.finish();
    console.log(
      `train: ${t.iteration} iterations, loss A ${t.losses.lossA!.toFixed(3)} B ${t.losses.lossB!.toFixed(3)}`,
    );
    const c = await convert({
      input: join(out, 'photos_a'),
      output: join(out, 'swapped'),
      modelDir: join(out, 'model'),
      overwrite: true,
      label: 'AI-generated (facegan demo)',
    });
    console.log(`convert: ${c.faces} faces swapped A->B in ${c.frames} photos`);
    console.log(
      `\npreview of training: ${join(out, 'model', 'previews', 'preview.png')}\n` +
        `swapped photos:      ${join(out, 'swapped')}/`,
    );
    return 0;
  },
});
