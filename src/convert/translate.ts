/**
 * facegan translate: a CycleGAN model applied to images, folders and videos through convert's frame loop. A model
 * trained on face crops translates each face as convert swaps it (aligned, run, colour-matched, masked, pasted
 * back, smoothed over video frames); one trained on whole images translates whole frames. Videos keep their
 * frames, rate, orientation and audio, and every output is labelled as synthetic.
 */
import { checkGiven } from '../core/options.js';
import { convertWith, type ConvertOptions, type ConvertSummary } from './convert.js';
import { TRANSLATE_SCHEMA } from './options.js';

export interface TranslateOptions extends Omit<ConvertOptions, 'swap'> {
  /** a2b (default): A's look to B's; b2a the other way. */
  direction?: 'a2b' | 'b2a';
}

/**
 * Translates the input with a CycleGAN model folder.
 * @example
 * await translate({ input: 'clip.mp4', output: 'translated.mp4', modelDir: 'cyclegan/', direction: 'a2b' });
 */
export async function translate(options: TranslateOptions): Promise<ConvertSummary> {
  checkGiven(TRANSLATE_SCHEMA, options as unknown as Record<string, unknown>); // what code gives, as the CLI checks it
  const { direction, ...rest } = options;
  return convertWith({ ...rest, swap: direction === 'b2a' }, 'cyclegan', 'facegan translate');
}
