/**
 * eval-gen's page: the figures of the model beside its two baselines, the issue's targets marked passed or not, a
 * grid of samples, and with --snapshots the figures over training (inline SVG and a PNG data URL; no scripts).
 */
import type { RgbImage } from '../core/image.js';
import { encodePng, escapeXml } from '../media/image.js';
import { gridOf } from '../generate/generate.js';
import { linePlot } from './html.js';

/** One set of samples' figures (eval/gen-eval.ts's compare()). */
export interface GenFigures {
  kid: number;
  fd: number;
  precision: number;
  recall: number;
  diversity: number;
  memorisationMedian: number;
}

export interface CurvePoint extends GenFigures {
  iteration: number;
  detection: number;
}

export interface GenReport {
  modelDir: string;
  iteration: number;
  size: number;
  samples: number;
  truncation: number;
  detection: { samples: number; real: number; pcaSampler: number };
  generator: GenFigures;
  pcaSampler: GenFigures;
  realVsReal: GenFigures;
  curve?: CurvePoint[];
}

export interface Target {
  name: string;
  value: number;
  bar: number;
  /** Higher values pass (else lower). */
  higher: boolean;
  pass: boolean;
}

/**
 * The quality targets a generator of faces is held to: it finds faces as often as real ones (80%), its KID beats the
 * PCA sampler's, it covers the real faces (recall 0.3), and it invents faces rather than copying (its samples are at
 * least 0.9x as far from the training faces as held-out real faces are).
 */
export function genTargets(r: Pick<GenReport, 'detection' | 'generator' | 'pcaSampler' | 'realVsReal'>): Target[] {
  const t = (name: string, value: number, bar: number, higher: boolean): Target => ({
    name,
    value,
    bar,
    higher,
    pass: Number.isFinite(value) && Number.isFinite(bar) && (higher ? value >= bar : value < bar),
  });
  return [
    // no bar without real faces found: a real rate of 0 would let any model pass
    t('detection >= 0.8 x real', r.detection.samples, r.detection.real > 0 ? 0.8 * r.detection.real : NaN, true),
    t("KID < the PCA sampler's", r.generator.kid, r.pcaSampler.kid, false),
    t('recall >= 0.3', r.generator.recall, 0.3, true),
    t("memorisation >= 0.9 x held-out's", r.generator.memorisationMedian, 0.9 * r.realVsReal.memorisationMedian, true),
  ];
}

const num = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** The first samples as one PNG data URL (8 to a row). */
async function samplesDataUrl(samples: readonly RgbImage[]): Promise<string> {
  const shown = samples.slice(0, 32);
  const png = await encodePng(gridOf([...shown], Math.min(8, shown.length), shown[0]!.width));
  return `data:image/png;base64,${png.toString('base64')}`;
}

export async function renderGenHtml(r: GenReport, samples: readonly RgbImage[]): Promise<string> {
  const rows: [string, (g: GenFigures) => number][] = [
    ['KID (unbiased, cubic kernel)', (g) => g.kid],
    ['FD', (g) => g.fd],
    ['precision (k = 3)', (g) => g.precision],
    ['recall (k = 3)', (g) => g.recall],
    ['diversity (mean pairwise distance)', (g) => g.diversity],
    ['memorisation (median nearest training distance)', (g) => g.memorisationMedian],
  ];
  const sets = [r.generator, r.pcaSampler, r.realVsReal];
  const table =
    `<tr><td>detection (face-api SSD)</td>${[r.detection.samples, r.detection.pcaSampler, r.detection.real]
      .map((v) => `<td>${num(v, 3)}</td>`)
      .join('')}</tr>` +
    rows
      .map(([name, pick]) => `<tr><td>${name}</td>${sets.map((g) => `<td>${num(pick(g))}</td>`).join('')}</tr>`)
      .join('');
  const targets = genTargets(r)
    .map(
      (t) =>
        `<tr><td>${escapeXml(t.name)}</td><td>${num(t.value)}</td><td>${t.higher ? '>=' : '<'} ${num(t.bar)}</td>` +
        `<td style="color:${t.pass ? '#2a7' : '#c33'}">${t.pass ? 'pass' : 'not yet'}</td></tr>`,
    )
    .join('');
  const c = r.curve ?? [];
  const at = c.map((p) => p.iteration).join(', ');
  const curve = c.length
    ? `<h2>Over training</h2><p>Snapshots at iterations ${at} (left to right).</p>` +
      linePlot(
        'KID against the held-out faces',
        [{ name: 'model', values: c.map((p) => p.kid) }],
        {
          at: r.pcaSampler.kid,
          name: 'PCA sampler',
        },
        'snapshot',
      ) +
      linePlot(
        'Detection, precision and recall',
        [
          { name: 'detection', values: c.map((p) => p.detection) },
          { name: 'precision', values: c.map((p) => p.precision) },
          { name: 'recall', values: c.map((p) => p.recall) },
        ],
        { at: 0.3, name: 'recall target' },
        'snapshot',
      )
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>facegan eval-gen at ${r.iteration}</title>
<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}
td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}
figure{margin:1em 0}figcaption{font-weight:bold}img{image-rendering:pixelated}</style></head><body>
<h1>facegan eval-gen</h1>
<p>StyleGAN <code>${escapeXml(r.modelDir)}</code> at iteration ${r.iteration}: ${r.samples} samples of ${r.size} px
(truncation ${r.truncation}), in face-api's 128-d descriptor space, against held-out real faces.</p>
<table><tr><th>figure</th><th>model</th><th>PCA sampler</th><th>real vs real</th></tr>${table}</table>
<h2>Targets</h2><table><tr><th>target</th><th>value</th><th>bar</th><th></th></tr>${targets}</table>
${curve}
<h2>Samples (seeds 0-${Math.min(32, samples.length) - 1})</h2>
<img src="${await samplesDataUrl(samples)}" width="${Math.min(8, samples.length) * 2 * r.size}" alt="samples">
<p>These faces are synthetic: facegan's generator made them; no such people were photographed.</p>
</body></html>
`;
}
