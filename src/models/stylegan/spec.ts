/** A StyleGAN model's shape: resolution, latent size, mapping depth and widths (min(channelBase / res, channelMax)). */
import { ErrorCodes, FaceganError } from '../../core/errors.js';

export interface StyleGanSpec {
  /** Output side in pixels: a power of two from 8 (32, 64, 128 and 256 are the sizes facegan offers). */
  size: number;
  /** Size of z and of w. */
  zDim: number;
  /** Fully connected layers of the mapping network. */
  mapping: number;
  channelBase: number;
  channelMax: number;
}

/** The shape of ../shared/bench/reference_stylegan2.py: 64 px, z 256, 2 mapping layers, base 4096, max 256. */
export const STYLEGAN_REFERENCE: StyleGanSpec = { size: 64, zDim: 256, mapping: 2, channelBase: 4096, channelMax: 256 };
/** The paper's widths (channel base 32768, max 512, 8 mapping layers, z 512), for a GPU. */
export const STYLEGAN_GPU: Omit<StyleGanSpec, 'size'> = { zDim: 512, mapping: 8, channelBase: 32768, channelMax: 512 };

export const channelsAt = (spec: StyleGanSpec, res: number): number =>
  Math.min(Math.floor(spec.channelBase / res), spec.channelMax);

/** How many w vectors the synthesis network takes: conv and toRGB of 4x4, then per level two convs (toRGB shares). */
export const numWs = (size: number): number => 2 * Math.log2(size) - 2;

export function checkSpec(spec: StyleGanSpec): StyleGanSpec {
  const { size } = spec;
  if (!Number.isInteger(Math.log2(size)) || size < 8 || size > 1024) {
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      `Expected a power of two from 8 to 1024 for the StyleGAN size (32, 64, 128 or 256) but received ${size}.`,
    );
  }
  for (const k of ['zDim', 'mapping', 'channelBase', 'channelMax'] as const) {
    if (!Number.isInteger(spec[k]) || spec[k] < 1) {
      throw new FaceganError(
        ErrorCodes.BAD_ARGUMENT,
        `Expected a positive integer for the StyleGAN ${k} but received ${spec[k]}.`,
      );
    }
  }
  if (spec.channelBase < size) {
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      `Expected a channel base of at least the size (${size}) but received ${spec.channelBase}: ` +
        `the ${size} px layers ` +
        'would have no channels. Raise --channel-base (2048 is the default).',
    );
  }
  return spec;
}
