/**
 * npm run bench -- mouth-ceiling [--input obama] [--every 4] [--sizes 64,128,512] [--coverages 0.875]: how well
 * eval's mouth measure can follow a person's frames through a model of each size and coverage at best. Each frame's
 * face is cut as a pair model's input (extract's default coverage; train's by default) at that size and pasted back
 * as a swap is, unchanged: the output of a model that gave back its input exactly. The landmark mesh reads the
 * mouth's opening in the frame and in the pasted copy; their correlation over the frames is the ceiling that eval
 * reports at the model's own size. One JSON line.
 */
import { HumanDetector, largestFace } from '../src/faces/human.js';
import { mouthOpening, pearson } from '../src/faces/expression.js';
import { inputKind, listFrames } from '../src/media/frames.js';
import { pastedInput, prepareFace, type SwapSettings } from '../src/swap/swap.js';
import { PASTE_DEFAULTS } from '../src/swap/paste-options.js';
import { EXTRACT_DEFAULTS } from '../src/extract/options.js';
import { COVERAGE_SPEC } from '../src/train/config.js';
import type { OptionSchema, Parsed } from '../src/core/options.js';
import type { ModelGeometry } from '../src/models/trained.js';
import { framesOf, median } from './util.js';

export const mouthCeilingOptions = {
  input: { type: 'string', help: 'frames: a folder under shared/data/faces, or a folder or video', default: 'obama' },
  every: { type: 'int', help: 'read every n-th frame', default: 4, min: 1 },
  sizes: { type: 'string', help: "the models' sides, comma-separated", default: '64,128,512' },
  coverages: {
    type: 'string',
    help: "the models' coverages (train's --coverage), comma-separated",
    default: String(COVERAGE_SPEC.default),
  },
} as const satisfies OptionSchema;

/** Pasted as eval pastes a swap. */
// pasted as eval and convert paste by default
const { color, ...paste } = PASTE_DEFAULTS;
const SETTINGS: SwapSettings = { ...paste, decoder: 'b', colour: color, device: 'cpu', bf16: false };

export async function benchMouthCeiling(o: Parsed<typeof mouthCeilingOptions>): Promise<Record<string, unknown>> {
  const input = framesOf(o.input);
  const sizes = o.sizes.split(',').map(Number);
  const coverages = o.coverages.split(',').map(Number);
  const bad = [...sizes, ...coverages].find((v) => !(v > 0));
  if (bad !== undefined) throw new Error(`--sizes and --coverages take positive numbers, comma-separated (got ${bad})`);
  const cases = sizes.flatMap((size) => coverages.map((coverage) => ({ size, coverage, key: `${size}@${coverage}` })));
  const detector = new HumanDetector({ maxFaces: 10, rotations: 'fallback' });
  const extractCoverage = EXTRACT_DEFAULTS.coverage;
  const geometry = (size: number, coverage: number): ModelGeometry => ({
    model: 'lightweight',
    mask: false,
    size,
    extractCoverage,
    modelCoverage: extractCoverage / coverage,
  });
  const inputs: number[] = [],
    widths: number[] = [];
  const outputs = new Map<string, (number | null)[]>(cases.map((c) => [c.key, []]));
  for await (const frame of listFrames(input, inputKind(input), o.every).frames) {
    if (!frame.isImage) continue;
    const image = await frame.image();
    const face = largestFace(await detector.detect(image));
    if (!face) continue;
    inputs.push(mouthOpening(face.landmarks));
    widths.push(face.box[2]);
    for (const c of cases) {
      const prepared = prepareFace(image, face.landmarks, geometry(c.size, c.coverage));
      const pasted = pastedInput(image, prepared, SETTINGS);
      const found = largestFace(await detector.detect(pasted));
      outputs.get(c.key)!.push(found ? mouthOpening(found.landmarks) : null);
    }
    process.stderr.write(`\r${inputs.length} faces`);
  }
  process.stderr.write('\n');
  const ceiling = (key: string) => {
    const read = outputs.get(key)!.flatMap((v, i) => (v === null ? [] : [[inputs[i]!, v]]));
    return {
      frames: read.length,
      ceiling: +pearson(
        read.map((p) => p[0]!),
        read.map((p) => p[1]!),
      ).toFixed(3),
    };
  };
  return {
    bench: 'mouth-ceiling',
    input,
    every: o.every,
    faces: inputs.length,
    face_box_median_px: widths.length ? Math.round(median(widths)) : null,
    ...(coverages.length === 1 && coverages[0] === COVERAGE_SPEC.default
      ? { by_size: Object.fromEntries(sizes.map((s) => [s, ceiling(`${s}@${coverages[0]}`)])) }
      : { by_size_at_coverage: Object.fromEntries(cases.map((c) => [c.key, ceiling(c.key)])) }),
  };
}
