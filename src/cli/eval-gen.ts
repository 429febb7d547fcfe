/** facegan eval-gen -m STYLEGAN_DIR --real HELDOUT --training FACES: a generator's samples against real faces. */
import { defineCommand } from './command.js';
import { STYLEGAN_OPTIONS } from './stylegan-options.js';
import { progressBar } from './progress.js';
import { useThreads } from './convert.js';
import { evalGen } from '../eval/gen-eval.js';
import { EVAL_GEN_SCHEMA } from '../eval/options.js';

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
  options: { ...EVAL_GEN_SCHEMA, threads: STYLEGAN_OPTIONS.threads },
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
