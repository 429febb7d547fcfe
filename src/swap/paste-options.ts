/**
 * How a swapped face is pasted into its frame, declared once: convert and translate take these flags, and eval
 * measures a swap pasted with the same ones (and the same defaults), so a setting can be measured before it is used.
 */
import type { OptionSchema } from '../core/options.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { COLOUR_MODES } from './swap.js';
import { MASK_TYPES } from './masks.js';

export const PASTE_DEFAULTS = {
  mask: 'extended',
  erode: 0,
  feather: 0.04,
  color: 'color-transfer',
  sharpen: 0,
} as const;

export const PASTE_OPTIONS = {
  mask: { type: 'string', help: 'blend mask', default: PASTE_DEFAULTS.mask, choices: MASK_TYPES },
  erode: {
    type: 'number',
    help: 'shrink the mask by this share of the face crop (negative grows it)',
    default: PASTE_DEFAULTS.erode,
    min: -0.2,
    max: 0.2,
  },
  feather: {
    type: 'number',
    help: 'soften the mask edge over this share of the face crop',
    default: PASTE_DEFAULTS.feather,
    min: 0,
    max: 0.3,
  },
  color: { type: 'string', help: 'colour matching', default: PASTE_DEFAULTS.color, choices: COLOUR_MODES },
  sharpen: {
    type: 'number',
    help: 'unsharp-mask amount on the swapped face (0: none)',
    default: PASTE_DEFAULTS.sharpen,
    min: 0,
    max: 3,
  },
} as const satisfies OptionSchema;

/** The usage error for --mask learned on a model trained without a mask channel (undefined where the mask is fine). */
export function learnedMaskError(mask: string, modelHasMask: boolean, modelDir: string): FaceganError | undefined {
  if (mask !== 'learned' || modelHasMask) return undefined;
  return new FaceganError(
    ErrorCodes.USAGE,
    `--mask learned needs a model trained with --mask; ${modelDir} has none. Use --mask extended or components.`,
  );
}
