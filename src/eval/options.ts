/**
 * The settings of eval (a swap measured as papers do) and eval-gen (a StyleGAN measured), declared once: the command
 * line parses and documents them, the dashboard makes forms from them, and the stages check what code gives them.
 */
import type { OptionSchema } from '../core/options.js';
import { STYLEGAN_MODEL_SCHEMA } from '../generate/options.js';
import { FILTER_THRESHOLD_SPEC } from '../faces/identity-filter.js';
import { PASTE_DEFAULTS, PASTE_OPTIONS } from '../swap/paste-options.js';

export const EVAL_DEFAULTS = {
  everyN: 1,
  maxFrames: 300,
  maxFaces: 64,
  color: PASTE_DEFAULTS.color,
} as const;

export const EVAL_SCHEMA = {
  modelDir: { path: true, type: 'string', short: 'm', help: 'model folder written by facegan train', required: true },
  input: {
    path: true,
    type: 'string',
    short: 'i',
    help: 'held-out frames: an image, a folder of images, or a video',
    required: true,
  },
  source: {
    path: true,
    type: 'string',
    help: "faces of the person put in (B for A->B): extract's crops or photos",
    required: true,
  },
  gallery: { path: true, type: 'list', help: "folders of other people's faces, for identity retrieval" },
  faces: {
    path: true,
    type: 'string',
    help: "training faces of the input's person (A for A->B): their mean is the reconstruction's template baseline",
  },
  output: { path: true, type: 'string', short: 'o', help: 'report folder (default MODEL_DIR/eval/INPUT_NAME)' },
  swap: { type: 'boolean', help: 'evaluate B->A (the input shows B, --source holds A)' },
  filter: {
    path: true,
    type: 'list',
    help:
      "photos of the person to replace: in frames that show others too, only this person's faces are measured " +
      '(as convert --filter swaps them)',
  },
  filterThreshold: FILTER_THRESHOLD_SPEC,
  everyN: { type: 'int', help: 'evaluate every n-th frame', default: EVAL_DEFAULTS.everyN, min: 1 },
  maxFrames: { type: 'int', help: 'evaluate at most this many frames', default: EVAL_DEFAULTS.maxFrames, min: 1 },
  maxFaces: {
    type: 'int',
    help: 'faces read from --source and each --gallery folder (spread evenly)',
    default: EVAL_DEFAULTS.maxFaces,
    min: 1,
  },
  // the swap pasted as convert pastes it: convert's flags and defaults
  ...PASTE_OPTIONS,
  precision: {
    type: 'string',
    help: 'model precision (auto: bf16 where native)',
    default: 'auto',
    choices: ['auto', 'fp32', 'bf16'] as const,
  },
  device: { type: 'string', help: 'auto, cpu or cuda', default: 'auto', choices: ['auto', 'cpu', 'cuda'] as const },
} as const satisfies OptionSchema;

export const EVAL_GEN_SCHEMA = {
  ...STYLEGAN_MODEL_SCHEMA,
  real: {
    path: true,
    type: 'string',
    help: 'held-out real faces (not trained on), as facegan extract writes them',
    required: true,
  },
  training: { path: true, type: 'string', help: 'the faces the model was trained on', required: true },
  samples: { type: 'int', help: 'samples to draw (seeds 0..n-1)', default: 200, min: 4, max: 10000 },
  truncation: { type: 'number', help: 'truncation psi of the samples', default: 1, min: 0, max: 2 },
  snapshots: {
    type: 'boolean',
    help:
      'also measure every snapshot in MODEL_DIR/snapshots (train --snapshot-every): the figures over training ' +
      '(a snapshot kept by a facegan older than 11-2026 holds the raw generator, not the EMA)',
  },
  output: {
    path: true,
    type: 'string',
    short: 'o',
    help: 'folder for report.json and report.html (default MODEL_DIR/eval-gen)',
  },
} as const satisfies OptionSchema;
