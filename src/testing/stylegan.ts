/** Small StyleGAN settings for the tests of StyleGAN training, generate, interpolate, project and eval-gen. */

/** A StyleGAN small enough to train a few iterations in a second (32 px; eval-gen's detectors need `size: 64`). */
export const TINY_STYLEGAN = {
  model: 'stylegan',
  size: 32,
  zDim: 32,
  channelBase: 256,
  channelMax: 32,
  batchSize: 4,
} as const;
