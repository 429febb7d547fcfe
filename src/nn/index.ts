/** facegan's layers, on the engine's Module. */
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, ConvTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from './conv.js';
export { BatchNorm2d, InstanceNorm2d, LayerNorm, GroupNorm } from './norm.js';
export {
  ReLU,
  LeakyReLU,
  Sigmoid,
  Tanh,
  GELU,
  Dropout,
  Flatten,
  Unflatten,
  PixelShuffle,
  PixelUnshuffle,
  Upsample,
} from './activation.js';
export { Sequential } from './sequential.js';
