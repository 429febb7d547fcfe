/**
 * Whole-image translation, for CycleGAN models trained on whole images: the frame is resized to the square the
 * model was trained at (its load size, aspect ignored, as training resized the images), run through the
 * generator, and resized back to the frame's own size.
 */
import type { RgbImage } from '../core/image.js';
import { autocast, interpolate, noGrad, tensor, tidy } from '../engine/index.js';
import type { TrainedModel } from '../models/trained.js';
import type { SwapSettings } from './swap.js';

/** How much larger than the model's side training loaded its images (train/cyclegan/data.ts: LOAD_SCALE). */
const TRAINING_LOAD_SCALE = 1.125;

/** The side a model trained on whole images translates frames at by default. */
export const translationSide = (size: number): number => Math.round((size * TRAINING_LOAD_SCALE) / 4) * 4;

/** Translates `source` into `target` (same size) with the generator toward `settings.decoder`. */
export function translateImage(source: RgbImage, target: RgbImage, trained: TrainedModel,
  s: Pick<SwapSettings, 'decoder' | 'bf16' | 'device'> & { resolution?: number }): void {
  const side = s.resolution ? Math.round(s.resolution / 4) * 4 : translationSide(trained.geometry.size);
  const { width, height } = source;
  const out = noGrad(() => tidy(() => {
    const x = tensor(source.data, { shape: [1, height, width, 3], dtype: 'uint8' }).to('float32').div(255).permute(0, 3, 1, 2).contiguous();
    const small = interpolate(x, { size: [side, side], mode: 'bilinear' }).to({ device: s.device });
    const run = () => trained.model.forward(small, s.decoder);
    const y = (s.bf16 ? autocast(s.device === 'cpu' ? 'cpu' : 'cuda', 'bfloat16', run) : run()).to({ device: 'cpu', dtype: 'float32' });
    const back = interpolate(y, { size: [height, width], mode: 'bilinear' });
    return back.squeeze(0).permute(1, 2, 0).mul(255).round().clamp(0, 255).to('uint8').contiguous().data() as Uint8Array;
  }));
  target.data.set(out);
}
