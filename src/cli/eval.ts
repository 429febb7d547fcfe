/** facegan eval -m MODEL_DIR -i INPUT --source FACES_DIR: measure a trained model on frames it has not seen. */
import { defineCommand } from './command.js';
import { progressBar, warn } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { evaluate } from '../eval/eval.js';
import { EVAL_SCHEMA } from '../eval/options.js';
import type { EvalReport } from '../eval/report.js';

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '-' : v.toFixed(d));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)}%`);

/** The report's headline figures, a line each. */
export function summaryLines(r: EvalReport): string[] {
  const rec = r.reconstruction.input,
    cyc = r.reconstruction.cycle;
  return [
    `detection      ${pct(r.detection.rate)} of ${r.counts.inputFaces} faces ` +
      `(input frames: ${pct(r.detection.inputRate)}); ${r.counts.measured} measured`,
    `identity       retrieval ${pct(r.identity.retrieval)} ` +
      `(under ${r.identity.threshold}: ${pct(r.identity.retrievalUnderThreshold)}), ` +
      `distance to source ${f(r.identity.distanceToSource)}, to original ${f(r.identity.distanceToOriginal)}`,
    `pose error     ${
      r.pose
        ? `${f(r.pose.mean, 2)} deg ` +
          `(yaw ${f(r.pose.yaw, 2)}, pitch ${f(r.pose.pitch, 2)}, roll ${f(r.pose.roll, 2)})`
        : '-'
    }`,
    `expression     error ${f(r.expression?.error, 4)}, mouth-opening correlation ${f(r.expression?.mouthCorrelation)}`,
    `reconstruction ${
      rec
        ? `${rec.side.toUpperCase()}->${rec.side.toUpperCase()} PSNR ${f(rec.psnr, 2)} dB, SSIM ${f(rec.ssim)} (` +
          `${
            rec.template
              ? `template of the training faces ${f(rec.template.psnr, 2)} dB, ${f(rec.template.ssim)}; `
              : ''
          }` +
          `mean of these faces ${f(rec.baseline.psnr, 2)} dB, ${f(rec.baseline.ssim)})`
        : '-'
    }`,
    `cycle          ${
      cyc
        ? `${cyc.side.toUpperCase()}->${cyc.side === 'a' ? 'B' : 'A'}->${cyc.side.toUpperCase()} ` +
          `PSNR ${f(cyc.psnr, 2)} dB, SSIM ${f(cyc.ssim)}`
        : '-'
    }`,
    ...(r.temporal
      ? [
          `temporal       landmark jitter added ${f(r.temporal.addedJitter, 4)} of the face width ` +
            `(input moves ${f(r.temporal.inputJitter, 4)})`,
        ]
      : []),
  ];
}

export const evalCommand = defineCommand({
  summary: 'measure a trained model: detection, identity, pose, expression, reconstruction (JSON + HTML report)',
  details: `Examples:
  facegan eval -m model/ -i held_out_a.mp4 --source faces_b/
  facegan eval -m model/ -i frames_b/ --source faces_a/ --swap --gallery others/ --every-n 5

INPUT shows the person to replace (A; B with --swap) in frames the model was not trained on. Each frame's largest
face is swapped as convert does it, then judged by other nets than the one that made it: face-api's SSD detector
(is it a face?), face-api's recognition net (is it the source person? the nearest of source, original and
--gallery folders), and the landmark mesh (pose and expression against the original face). A->A reconstruction of
the same faces is compared with a baseline that outputs the person's mean face. Writes report.json (schema in
docs/eval.md) and report.html to -o (default MODEL_DIR/eval/INPUT_NAME).`,
  options: EVAL_SCHEMA,
  async run(o) {
    const bar = progressBar('eval', 'frames');
    const r = await stoppableBySigint('stopping; no report is written.', (signal) =>
      evaluate({
        ...o,
        signal,
        onWarning: warn,
        onProgress: (p) => bar.update(p.done, p.total),
      }),
    );
    bar.finish();
    if (r.stopped) {
      console.log(`stopped after ${r.report.counts.frames} frames; no report was written`);
      return 130;
    }
    for (const line of summaryLines(r.report)) console.log(line);
    console.log(`report: ${r.folder}/report.html (and report.json)`);
    return 0;
  },
});
