/**
 * The eval report: its JSON shape (versioned, with a JSON Schema that the tests validate against) and the
 * summary figures computed from the per-frame records. Figures that could not be measured are null, never NaN.
 */
import type { InputKind } from '../media/frames.js';

export const REPORT_VERSION = 2;

/** One evaluated frame: its largest input face (of the --filter person's, when given), and what became of it. */
export interface FrameResult {
  key: string;
  timestamp: number | null;
  /** The input frame has a face (of the --filter person, when given; the largest one is evaluated). */
  face: boolean;
  /** face-api's detector finds a face where the swapped one is. */
  detected: boolean;
  /**
   * face-api's SSD confidence on the swapped face, and on the input's (0-1; found from 0.5; 0: nothing seen there).
   * Reports before 11-29-2026 lack them.
   */
  detectionScore?: number | null;
  inputDetectionScore?: number | null;
  /** The swapped face was also found by the landmark detector, so the figures below exist. */
  measured: boolean;
  distanceToSource: number | null;
  distanceToOriginal: number | null;
  /** Name of the nearest identity (source, original, or a gallery folder). */
  nearest: string | null;
  /** Pose error, degrees (swapped minus original). */
  pose: { yaw: number; pitch: number; roll: number } | null;
  expression: number | null;
  mouthIn: number | null;
  mouthOut: number | null;
  /** The mouth's opening in the A->A reconstruction, pasted as the swap is (reports before 11-2026 lack it). */
  mouthRebuilt?: number | null;
  /** ... in the input's own crop at the model's size, pasted back: what a perfect model of that size would show. */
  mouthCeiling?: number | null;
  /** A->A (or B->B) reconstruction of this frame's face. */
  psnr: number | null;
  ssim: number | null;
}

export interface Reconstruction {
  /** Which decoder rebuilt the faces: 'a' for A->A. */
  side: 'a' | 'b';
  faces: number;
  psnr: number;
  ssim: number;
  mae: number;
  /**
   * The oracle baseline: the mean of these same crops. No model can reach it on unseen frames of a still speaker;
   * it stays as a second figure beside the template baseline.
   */
  baseline: { psnr: number; ssim: number; mae: number };
  /**
   * The template baseline: the mean of the person's training faces (what a model that learnt only a template would
   * output). null when eval was not given those faces (eval --faces; train --eval-every passes its own).
   */
  template: { psnr: number; ssim: number; mae: number } | null;
}

export interface EvalReport {
  schemaVersion: number;
  facegan: string;
  createdAt: string;
  seconds: number;
  model: { dir: string; type: string; iteration: number; direction: 'A->B' | 'B->A' };
  /** filter: the photos of the person whose faces were measured (eval --filter); absent when any face was. */
  input: { path: string; kind: InputKind; everyN: number; filter?: string[] };
  /** How the swaps were pasted (convert's settings); absent in reports written before it was recorded. */
  paste?: { mask: string; erode: number; feather: number; sharpen: number; color: string };
  source: { folder: string; faces: number };
  gallery: { name: string; folder: string; faces: number }[];
  counts: { frames: number; inputFaces: number; detected: number; measured: number };
  /** Share of input faces whose swap face-api's detector finds; its rate on the input frames for reference. */
  detection: { rate: number | null; inputRate: number | null };
  identity: {
    threshold: number;
    distanceToSource: number | null;
    distanceToOriginal: number | null;
    /** Distance between the source's and the original's mean descriptors: how far apart the two people are. */
    sourceToOriginal: number;
    /** Share of measured faces whose nearest identity is the source. */
    retrieval: number | null;
    /** ... and nearer than the threshold. */
    retrievalUnderThreshold: number | null;
    nearest: Record<string, number>;
  };
  pose: { yaw: number; pitch: number; roll: number; mean: number } | null;
  /**
   * mouthCorrelation: the swap's mouth opening against the input's over the frames. Beside it (reports before 11-2026
   * lack them): the same for the A->A reconstruction, and the ceiling, the input's crop at the model's size pasted
   * back, as high as a model of that size can score (the model's side loses the mouth's finer detail).
   */
  expression: {
    error: number;
    mouthCorrelation: number | null;
    mouthReconstruction?: number | null;
    mouthCeiling?: number | null;
  } | null;
  /**
   * input: A->A (or B->B) on the held-out faces; source: B->B on the source's faces; cycle: A->B->A, the swap taken
   * back through the other side (CycleGAN's cycle reconstruction; for a pair model, its decoders in turn).
   */
  reconstruction: { input: Reconstruction | null; source: Reconstruction | null; cycle?: Reconstruction | null };
  /**
   * Frame-to-frame landmark motion (share of the face's width) in the input, in the output, and of their difference.
   */
  temporal: { inputJitter: number; outputJitter: number; addedJitter: number } | null;
  frames: FrameResult[];
}

const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const share = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;
/** An object schema: every one of `properties` required, `optional` allowed too (fields older reports lack). */
const obj = (properties: Record<string, unknown>, nullable = false, optional: Record<string, unknown> = {}) => ({
  type: nullable ? ['object', 'null'] : 'object',
  required: Object.keys(properties),
  additionalProperties: false,
  properties: { ...properties, ...optional },
});
const recon = obj(
  {
    side: { enum: ['a', 'b'] },
    faces: { type: 'integer', minimum: 1 },
    psnr: num,
    ssim: num,
    mae: num,
    baseline: obj({ psnr: num, ssim: num, mae: num }),
    template: obj({ psnr: num, ssim: num, mae: num }, true),
  },
  true,
);

/** JSON Schema (draft 2020-12) of report.json. */
export const REPORT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'facegan eval report',
  ...obj(
    {
      schemaVersion: { const: REPORT_VERSION },
      facegan: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      seconds: { type: 'number', minimum: 0 },
      model: obj({
        dir: { type: 'string' },
        type: { type: 'string' },
        iteration: { type: 'integer', minimum: 0 },
        direction: { enum: ['A->B', 'B->A'] },
      }),
      input: obj(
        {
          path: { type: 'string' },
          kind: { enum: ['image', 'folder', 'video'] },
          everyN: { type: 'integer', minimum: 1 },
        },
        false,
        { filter: { type: 'array', items: { type: 'string' } } },
      ),
      source: obj({ folder: { type: 'string' }, faces: { type: 'integer', minimum: 1 } }),
      gallery: {
        type: 'array',
        items: obj({ name: { type: 'string' }, folder: { type: 'string' }, faces: { type: 'integer', minimum: 1 } }),
      },
      counts: obj({
        frames: { type: 'integer', minimum: 0 },
        inputFaces: { type: 'integer', minimum: 0 },
        detected: { type: 'integer', minimum: 0 },
        measured: { type: 'integer', minimum: 0 },
      }),
      detection: obj({ rate: share, inputRate: share }),
      identity: obj({
        threshold: num,
        distanceToSource: nullableNum,
        distanceToOriginal: nullableNum,
        sourceToOriginal: num,
        retrieval: share,
        retrievalUnderThreshold: share,
        nearest: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
      }),
      pose: obj({ yaw: num, pitch: num, roll: num, mean: num }, true),
      expression: obj({ error: num, mouthCorrelation: nullableNum }, true, {
        mouthReconstruction: nullableNum,
        mouthCeiling: nullableNum,
      }),
      reconstruction: obj({ input: recon, source: recon }, false, { cycle: recon }),
      temporal: obj({ inputJitter: num, outputJitter: num, addedJitter: num }, true),
      frames: {
        type: 'array',
        items: obj(
          {
            key: { type: 'string' },
            timestamp: nullableNum,
            face: { type: 'boolean' },
            detected: { type: 'boolean' },
            measured: { type: 'boolean' },
            distanceToSource: nullableNum,
            distanceToOriginal: nullableNum,
            nearest: { type: ['string', 'null'] },
            pose: obj({ yaw: num, pitch: num, roll: num }, true),
            expression: nullableNum,
            mouthIn: nullableNum,
            mouthOut: nullableNum,
            psnr: nullableNum,
            ssim: nullableNum,
          },
          false,
          {
            mouthRebuilt: nullableNum,
            mouthCeiling: nullableNum,
            detectionScore: nullableNum,
            inputDetectionScore: nullableNum,
          },
        ),
      },
    },
    false,
    {
      paste: obj({
        mask: { type: 'string' },
        erode: num,
        feather: num,
        sharpen: num,
        color: { type: 'string' },
      }),
    },
  ),
} as const;

export const mean = (xs: readonly number[]): number | null =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
/** A number fit for JSON: NaN and infinities become null. */
export const finite = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x;
