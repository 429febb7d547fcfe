/** facegan eval-gen -m STYLEGAN_DIR --real HELDOUT --training FACES: a generator's samples against real faces. */
import { defineCommand } from './command.js';
import { STYLEGAN_OPTIONS } from './stylegan-options.js';
import { progressBar } from './progress.js';
import { useThreads } from './convert.js';
import { evalGen } from '../eval/gen-eval.js';

export const evalGenCommand = defineCommand({
  summary: "a StyleGAN model's samples against real faces: detection, KID, FD, precision/recall, memorisation",
  details: `Example:
  facegan eval-gen -m stylegan/ --real heldout_faces/ --training faces/ --samples 200
  facegan eval-gen -m stylegan/ --real heldout_faces/ --training faces/ --samples 100 --snapshots

All figures are in face-api's 128-d identity-descriptor space (no Inception weights can be had offline): KID
(unbiased, cubic kernel, over subsets) and FD against the held-out faces, precision and recall (k = 3), diversity
(mean pairwise distance) and memorisation (median distance from a sample to its nearest training face). The same
figures for real against real (the held-out faces' two halves) and for a PCA-Gaussian sampler of the training
pixels are in the report beside the model's: the model should beat the sampler. report.json and report.html
(the figures, the targets passed, a grid of samples and, with --snapshots, the figures over training) go to -o.`,
  options: {
    ...STYLEGAN_OPTIONS,
    real: {
      type: 'string',
      help: 'held-out real faces (not trained on), as facegan extract writes them',
      required: true,
    },
    training: { type: 'string', help: 'the faces the model was trained on', required: true },
    samples: { type: 'int', help: 'samples to draw (seeds 0..n-1)', default: 200, min: 4, max: 10000 },
    truncation: { type: 'number', help: 'truncation psi of the samples', default: 1, min: 0, max: 2 },
    snapshots: {
      type: 'boolean',
      help:
        'also measure every snapshot in MODEL_DIR/snapshots (train --snapshot-every): the figures over training ' +
        '(a snapshot kept by a facegan older than 11-2026 holds the raw generator, not the EMA)',
    },
    output: { type: 'string', short: 'o', help: 'folder for report.json and report.html (default MODEL_DIR/eval-gen)' },
  },
  async run(o) {
    useThreads(o.threads);
    const bar = progressBar('eval-gen', 'images');
    const { report, path, html, targets } = await evalGen({
      ...o,
      onProgress: (p) => bar.update(p.done, p.total, p.detail ?? ''),
    });
    bar.finish();
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
    const d = report.detection;
    console.log(`detection: samples ${f(d.samples)}, real ${f(d.real)}, PCA sampler ${f(d.pcaSampler)}`);
    for (const [name, r] of [
      ['model', report.generator],
      ['PCA sampler', report.pcaSampler],
      ['real vs real', report.realVsReal],
    ] as const) {
      console.log(
        `${name}: KID ${f(r.kid)}, FD ${f(r.fd)}, precision ${f(r.precision)}, recall ${f(r.recall)}, ` +
          `diversity ${f(r.diversity)}, memorisation median ${f(r.memorisationMedian)}`,
      );
    }
    for (const p of report.curve ?? [])
      console.log(`iteration ${p.iteration}: detection ${f(p.detection)}, KID ${f(p.kid)}, recall ${f(p.recall)}`);
    for (const t of targets)
      console.log(`${t.pass ? 'pass' : 'not yet'}: ${t.name} (${f(t.value)} against ${f(t.bar)})`);
    console.log(`report: ${path}, ${html}`);
  },
});
