/**
 * extract's settings, declared once: the command line's flags and help are made from them, and extract() checks
 * what code gives it against them, with the same messages.
 */
import type { OptionSchema } from '../core/options.js';
import { MAX_FACES_PER_FRAME } from '../core/alignments.js';
import { SAME_PERSON } from '../faces/identity.js';
import { DETECTOR_IDS } from '../faces/detected.js';
import { FILTER_THRESHOLD_SPEC } from '../faces/identity-filter.js';

export const EXTRACT_DEFAULTS = {
  size: 256,
  coverage: 0.625,
  minSize: 20,
  maxFaces: 50,
  everyN: 1,
  redetectEvery: 10,
  filterThreshold: SAME_PERSON,
} as const;

export const EXTRACT_SCHEMA = {
  input: {
    path: true,
    type: 'string',
    short: 'i',
    help: 'an image, a folder of images, or a video file (read directly)',
    required: true,
  },
  output: { path: true, type: 'string', short: 'o', help: 'folder for the aligned face crops', required: true },
  alignments: {
    path: true,
    type: 'string',
    short: 'a',
    help: 'alignments file (default: beside the input, NAME.alignments.json)',
  },
  size: {
    type: 'int',
    help: 'side of the aligned crops in pixels',
    default: EXTRACT_DEFAULTS.size,
    min: 64,
    max: 2048,
  },
  coverage: {
    type: 'number',
    help: 'share of the crop that the mean face (brows to chin) spans',
    default: EXTRACT_DEFAULTS.coverage,
    min: 0.3,
    max: 1,
  },
  minSize: {
    type: 'int',
    help: 'smallest face kept (box side in pixels)',
    default: EXTRACT_DEFAULTS.minSize,
    min: 1,
  },
  maxFaces: {
    type: 'int',
    help: 'most faces kept per image (largest first)',
    default: EXTRACT_DEFAULTS.maxFaces,
    min: 1,
    max: MAX_FACES_PER_FRAME,
  },
  detector: {
    type: 'string',
    choices: ['auto', ...DETECTOR_IDS] as const,
    default: 'auto',
    help:
      'face detector: human (BlazeFace + mesh), ssd (face-api SSD + 68 points) or both (small faces too, tiles for ' +
      'large photos, a visibility per face); auto: both for photos, human for video',
  },
  tiles: {
    type: 'string',
    choices: ['auto', 'always', 'never'] as const,
    default: 'auto',
    help:
      'photos over 1024 px: also read in tiles of 512 px for small faces (ssd and both): auto when the faces found ' +
      'leave room for smaller ones (a crowd), always, or never (faster)',
  },
  minVisibility: {
    type: 'number',
    help: 'drop faces less visible than this, 0-1 (a hand or another head over part of the face; human or both)',
    min: 0,
    max: 1,
  },
  everyN: { type: 'int', help: 'process every n-th image or video frame', default: EXTRACT_DEFAULTS.everyN, min: 1 },
  redetectEvery: {
    type: 'int',
    help: 'video: follow faces between frames, detecting afresh every n frames (1: every frame)',
    default: EXTRACT_DEFAULTS.redetectEvery,
    min: 1,
  },
  filter: { path: true, type: 'list', help: 'keep only faces of the person in these images' },
  nfilter: { path: true, type: 'list', help: 'drop faces of the person in these images' },
  filterThreshold: FILTER_THRESHOLD_SPEC,
  identity: {
    type: 'boolean',
    help: 'store a 128-d identity descriptor per face (--no-identity is faster)',
    default: true,
  },
  rotations: {
    type: 'boolean',
    help:
      'find faces turned every way: a photo is searched upright, upside down and sideways, a video frame turned ' +
      'only where no face is found upright (--no-rotations: upright only, faster)',
    default: true,
  },
  threads: {
    type: 'boolean',
    help: 'detect faces in a worker thread beside the cutting and saving (--no-threads: one thread)',
    default: true,
  },
} as const satisfies OptionSchema;
