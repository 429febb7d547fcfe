/**
 * facegan's tensor engine: libtorch through a native addon, with a PyTorch-like TypeScript API.
 * @example
 * import { tensor, tidy } from './engine/index.js';
 * const y = tidy(() => tensor([[1, 2], [3, 4]]).matmul(tensor([[1], [1]])));  // [[3], [7]]
 */
export { Tensor, isTensor } from './tensor.js';
export { type DType, type Device, DTYPES, BYTES_PER_ELEMENT, isFloating } from './dtype.js';
export { tidy, keep, dispose } from './scope.js';
export {
  tensor,
  fromBytes,
  zeros,
  ones,
  empty,
  full,
  zerosLike,
  onesLike,
  fullLike,
  eye,
  arange,
  linspace,
  rand,
  randn,
  randint,
  normal,
  cat,
  stack,
  where,
  type TensorOptions,
} from './factory.js';
export {
  conv2d,
  convTranspose2d,
  linear,
  pixelShuffle,
  pixelUnshuffle,
  interpolate,
  pad,
  gridSample,
  affineGrid,
  avgPool2d,
  maxPool2d,
  adaptiveAvgPool2d,
  batchNorm,
  instanceNorm,
  layerNorm,
  groupNorm,
  dropout,
  l1Loss,
  mseLoss,
  bceWithLogits,
  type Pair,
  type Reduction,
  type Conv2dOptions as Conv2dFnOptions,
  type InterpolateOptions,
  type GridSampleOptions,
} from './functional.js';
export { noGrad, enableGrad, isGradEnabled, grad, zeroGrad } from './autograd.js';
export { Module, type Layer } from './module.js';
export { initWeight, initBias, icnr, fans, type Initializer, INITIALIZERS } from './init.js';
export { Adam, AdamW, clipGradNorm, trainStep, type AdamOptions, type OptimizerState } from './optim.js';
export type { AdamKernel } from './native.js';
export { saveSafetensors, loadSafetensors, parseSafetensorsHeader, type SafetensorsHeader } from './safetensors.js';
export {
  setNumThreads,
  numThreads,
  setFlushDenormal,
  manualSeed,
  cuda,
  resolveDevice,
  liveTensors,
  trimMemory,
  libtorchVersion,
  autocast,
  countOps,
  type OpCounts,
  hasFastBf16,
} from './runtime.js';
