/**
 * The one-page HTML report: the figures in a table, per-frame plots (inline SVG, no scripts, no downloads) and
 * a few example faces, original beside swapped, embedded as JPEG data URLs.
 */
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';
import type { Box } from '../core/geometry/box.js';
import { escapeXml } from '../media/image.js';
import { SSD_FOUND } from '../faces/identity.js';
import type { EvalReport, FrameResult } from './report.js';

export interface Example {
  key: string;
  original: string;
  swapped: string;
}

const SIDE = 192;

async function faceJpeg(image: RgbImage, box: Box): Promise<string> {
  const side = Math.round(Math.max(box[2], box[3]) * 1.8);
  const cx = box[0] + box[2] / 2,
    cy = box[1] + box[3] / 2;
  const left = Math.max(0, Math.min(image.width - 1, Math.round(cx - side / 2))),
    top = Math.max(0, Math.min(image.height - 1, Math.round(cy - side / 2)));
  const width = Math.min(side, image.width - left),
    height = Math.min(side, image.height - top);
  const jpeg = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .extract({ left, top, width, height })
    .resize(SIDE, SIDE, { fit: 'contain', background: '#000' })
    .jpeg({ quality: 85 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

/** The face region of one frame, before and after the swap. */
export async function exampleImage(key: string, original: RgbImage, swapped: RgbImage, box: Box): Promise<Example> {
  return { key, original: await faceJpeg(original, box), swapped: await faceJpeg(swapped, box) };
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];

/** A line plot of series over the evaluated frames (gaps where a value is missing). */
export function linePlot(
  title: string,
  series: { name: string; values: (number | null)[] }[],
  reference?: { at: number; name: string },
  xLabel = 'evaluated frame',
): string {
  const W = 640,
    H = 200,
    P = 36,
    L = 56;
  const all = series
    .flatMap((s) => s.values)
    .filter((v): v is number => v !== null && Number.isFinite(v))
    .concat(reference && Number.isFinite(reference.at) ? [reference.at] : []);
  if (!all.length) return `<p>${escapeXml(title)}: nothing measured.</p>`;
  let lo = Math.min(...all),
    hi = Math.max(...all);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => L + ((W - L - P) * i) / (n - 1),
    y = (v: number) => H - P + ((P * 2 - H) * (v - lo)) / (hi - lo);
  const paths = series
    .map((s, k) => {
      let d = '',
        pen = false;
      s.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      return (
        `<path d="${d}" fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="1.5"/>` +
        `<text x="${W - P}" y="${14 + 14 * k}" text-anchor="end" fill="${COLOURS[k % COLOURS.length]}">` +
        `${escapeXml(s.name)}</text>`
      );
    })
    .join('');
  const ref =
    reference && Number.isFinite(reference.at)
      ? `<line x1="${L}" x2="${W - P}" y1="${y(reference.at)}" y2="${y(reference.at)}" ` +
        'stroke="#888" stroke-dasharray="4"/>' +
        `<text x="${L + 4}" y="${y(reference.at) - 4}" fill="#888">${escapeXml(reference.name)}</text>`
      : '';
  return (
    `<figure><figcaption>${escapeXml(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-size="11" font-family="sans-serif">` +
    '<rect width="100%" height="100%" fill="#fff"/>' +
    `<line x1="${L}" x2="${L}" y1="${P}" y2="${H - P}" stroke="#000"/>` +
    `<line x1="${L}" x2="${W - P}" y1="${H - P}" y2="${H - P}" stroke="#000"/>` +
    `<text x="${L - 4}" y="${P + 4}" text-anchor="end">${hi.toPrecision(3)}</text>` +
    `<text x="${L - 4}" y="${H - P}" text-anchor="end">${lo.toPrecision(3)}</text>` +
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>${ref}${paths}</svg></figure>`
  );
}

const f = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);

export function renderHtml(r: EvalReport, examples: readonly Example[]): string {
  const col = <K extends keyof FrameResult>(
    k: K,
    pick: (v: NonNullable<FrameResult[K]>) => number = (v) => v as number,
  ) =>
    r.frames.map((fr) => (fr[k] === null || fr[k] === undefined ? null : pick(fr[k] as NonNullable<FrameResult[K]>)));
  const rec = (name: string, x: EvalReport['reconstruction']['input']) =>
    x
      ? `<tr><td>${name} (${x.faces} faces)</td>` +
        `<td>PSNR ${f(x.psnr, 2)} dB, SSIM ${f(x.ssim)}, MAE ${f(x.mae, 4)}</td><td>` +
        `${
          x.template
            ? `template (mean of the training faces): PSNR ${f(x.template.psnr, 2)} dB, SSIM ${f(x.template.ssim)}; `
            : ''
        }` +
        `mean of these faces: PSNR ${f(x.baseline.psnr, 2)} dB, SSIM ${f(x.baseline.ssim)}, ` +
        `MAE ${f(x.baseline.mae, 4)}</td></tr>`
      : '';
  const rows: [string, string, string][] = [
    [
      'Detection (face-api SSD)',
      pct(r.detection.rate),
      `of ${r.counts.inputFaces} input faces; on the input frames: ${pct(r.detection.inputRate)}`,
    ],
    [
      'Measured faces',
      String(r.counts.measured),
      'swapped faces found by both detectors: the figures below are over these',
    ],
    [
      'ID retrieval',
      pct(r.identity.retrieval),
      `nearest identity is the source; under ${r.identity.threshold}: ${pct(r.identity.retrievalUnderThreshold)}; ` +
        `counts ${escapeXml(JSON.stringify(r.identity.nearest))}`,
    ],
    [
      'Distance to source',
      f(r.identity.distanceToSource),
      `face-api descriptor, Euclidean; source to original: ${f(r.identity.sourceToOriginal)}`,
    ],
    ['Distance to original', f(r.identity.distanceToOriginal), 'to the face it replaced'],
    [
      'Pose error',
      r.pose ? `${f(r.pose.mean, 2)}°` : '—',
      r.pose ? `yaw ${f(r.pose.yaw, 2)}°, pitch ${f(r.pose.pitch, 2)}°, roll ${f(r.pose.roll, 2)}°` : '',
    ],
    [
      'Expression error',
      f(r.expression?.error, 4),
      `eyes and mouth, mean-face units; mouth-opening correlation ${f(r.expression?.mouthCorrelation)}` +
        (r.expression?.mouthCeiling === undefined
          ? ''
          : ` (A->A reconstruction ${f(r.expression.mouthReconstruction)}; ` +
            `ceiling at the model's size ${f(r.expression.mouthCeiling)})`),
    ],
    [
      'Temporal',
      r.temporal ? f(r.temporal.addedJitter, 4) : '—',
      r.temporal
        ? `landmark motion added by the swap (share of face width); input ${f(r.temporal.inputJitter, 4)}, ` +
          `output ${f(r.temporal.outputJitter, 4)}`
        : 'not a video',
    ],
  ];
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<title>facegan eval: ${escapeXml(r.model.type)} at ${r.model.iteration}</title>
<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}` +
    `td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
figure{margin:1em 0}figcaption{font-weight:bold}` +
    `.ex{display:inline-block;margin:4px;text-align:center;font-size:12px}.ex img{display:block}</style></head><body>
<h1>facegan eval</h1>
<p>Model <code>${escapeXml(r.model.dir)}</code> ` +
    `(${escapeXml(r.model.type)}, iteration ${r.model.iteration}, ${r.model.direction}) ` +
    `on <code>${escapeXml(r.input.path)}</code>
(${r.counts.frames} frames, every ${r.input.everyN}); ` +
    `source faces <code>${escapeXml(r.source.folder)}</code> (${r.source.faces})${r.gallery
      .map((g) => `; gallery <code>${escapeXml(g.name)}</code> (${g.faces})`)
      .join('')}.
Measured in ${r.seconds.toFixed(1)} s by facegan ${escapeXml(r.facegan)} on ${escapeXml(r.createdAt)}.</p>
<table><tr><th>Figure</th><th>Value</th><th></th></tr>${rows
      .map((row) => `<tr><td>${row[0]}</td><td><b>${row[1]}</b></td><td>${row[2]}</td></tr>`)
      .join('')}
${rec('Reconstruction, input faces', r.reconstruction.input)}${rec(
  'Reconstruction, source faces',
  r.reconstruction.source,
)}${rec('Cycle reconstruction (there and back)', r.reconstruction.cycle ?? null)}</table>
${
  r.frames.some((f) => typeof f.detectionScore === 'number') // reports before 11-29-2026 lack the scores
    ? linePlot(
        'Face detector confidence per frame (face-api SSD)',
        [
          { name: 'input', values: col('inputDetectionScore') },
          { name: 'swapped', values: col('detectionScore') },
        ],
        { at: SSD_FOUND, name: 'found' },
      )
    : ''
}
${linePlot(
  'Identity distance per frame',
  [
    { name: 'to source', values: col('distanceToSource') },
    { name: 'to original', values: col('distanceToOriginal') },
  ],
  { at: r.identity.threshold, name: 'same-person threshold' },
)}
${linePlot(
  'Mouth opening (mean-face units)',
  [
    { name: 'input', values: col('mouthIn') },
    { name: 'swapped', values: col('mouthOut') },
    { name: 'reconstructed', values: col('mouthRebuilt') },
  ].filter((s) => s.name !== 'reconstructed' || s.values.some((v) => v !== null)), // reports before 11-2026 lack it
)}
${linePlot('Pose error per frame (degrees)', [
  { name: 'yaw', values: col('pose', (p) => p.yaw) },
  { name: 'pitch', values: col('pose', (p) => p.pitch) },
  { name: 'roll', values: col('pose', (p) => p.roll) },
])}
<h2>Examples</h2>${examples
      .map(
        (e) =>
          '<div class="ex">' +
          `<img src="${e.original}" width="${SIDE}" height="${SIDE}" alt="original ${escapeXml(e.key)}">` +
          `<img src="${e.swapped}" width="${SIDE}" height="${SIDE}" alt="swapped ${escapeXml(e.key)}">` +
          `${escapeXml(e.key)}</div>`,
      )
      .join('')}
<p>The swapped outputs these figures come from are synthetic: facegan made them with a trained model.</p>
</body></html>
`
  );
}
