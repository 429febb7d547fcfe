/**
 * faceswap's "original" model: 64x64x3 in and out. Encoder: four 5x5 stride-2 convolutions (128, 256, 512, 1024
 * filters), Dense 1024, Dense 4*4*1024, reshape to [1024, 4, 4], upscale to 512 x 8 x 8. Decoder: upscales 256,
 * 128, 64, then a 5x5 convolution to 3 channels and a sigmoid. Exactly ../shared/bench/reference_original.py.
 */
import { PairAutoencoder, type AutoencoderOptions, type AutoencoderSpec } from './autoencoder.js';

export const ORIGINAL_SPEC: AutoencoderSpec = {
  size: 64,
  encoder: [128, 256, 512, 1024],
  dense: 1024,
  seed: 4,
  seedFilters: 1024,
  encoderUp: 512,
  decoder: [256, 128, 64],
};

export type OriginalOptions = AutoencoderOptions;

export class OriginalModel extends PairAutoencoder {
  constructor(o: OriginalOptions = {}) {
    super(ORIGINAL_SPEC, o);
  }
}
