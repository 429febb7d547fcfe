/**
 * Whole-image translation, for CycleGAN models trained on whole images: the frame is resized (lanczos, as
 * training loaded its images) to the square the model was trained at, its load size, aspect ignored as training
 * did, run through the generator, and resized back to the frame's own size.
 */
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';
import { tidy } from '../engine/index.js';
import { imageToTensor, tensorToImage } from '../faces/align.js';
import { loadSizeOf } from '../models/cyclegan.js';
import type { TrainedModel } from '../models/trained.js';
import { forwardModel, type SwapSettings } from './swap.js';

const resize = (data: Uint8Array, width: number, height: number, w: number, h: number): Promise<Buffer> =>
  sharp(data, { raw: { width, height, channels: 3 } })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();

/** Translates `source` into `target` (same size) with the generator toward `settings.decoder`. */
export async function translateImage(
  source: RgbImage,
  target: RgbImage,
  trained: TrainedModel,
  s: Pick<SwapSettings, 'decoder' | 'bf16' | 'device'> & { resolution?: number },
): Promise<void> {
  const side = s.resolution ? Math.max(4, Math.round(s.resolution / 4) * 4) : loadSizeOf(trained.geometry.size);
  const small = await resize(source.data, source.width, source.height, side, side);
  const out = tidy(
    () => tensorToImage(forwardModel(trained, imageToTensor({ width: side, height: side, data: small }), s)).data,
  );
  target.data.set(await resize(out, side, side, source.width, source.height));
}
