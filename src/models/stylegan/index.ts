/** StyleGAN2 at facegan's sizes: layers, generator, discriminator and the model's spec. */
export * from './spec.js';
export * from './layers.js';
export * from './generator.js';
export * from './discriminator.js';
