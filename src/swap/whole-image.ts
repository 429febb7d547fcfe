/**
 * Whole-image translation, for CycleGAN models trained on whole images: the frame is resized (lanczos, as
 * training loaded its images) to the square the model was trained at, its load size, aspect ignored as training
 * did, run through the generator, and resized back to the frame's own size.
 */
import type { RgbImage } from '../core/image.js';
import { resizeRgb } from '../media/image.js';
import { tidy } from '../engine/index.js';
import { imageToTensor, tensorToImage } from '../faces/align.js';
import { loadSizeOf } from '../models/cyclegan.js';
import type { TrainedModel } from '../models/trained.js';
import { forwardModel, type SwapSettings } from './swap.js';

/** Translates `source` into `target` (same size) with the generator toward `settings.decoder`. */
export async function translateImage(
  source: RgbImage,
  target: RgbImage,
  trained: TrainedModel,
  s: Pick<SwapSettings, 'decoder' | 'bf16' | 'device'> & { resolution?: number },
): Promise<void> {
  const side = s.resolution ? Math.max(4, Math.round(s.resolution / 4) * 4) : loadSizeOf(trained.geometry.size);
  const small = await resizeRgb(source, side, side);
  const out = tidy(() => tensorToImage(forwardModel(trained, imageToTensor(small), s)));
  target.data.set((await resizeRgb(out, source.width, source.height)).data);
}
