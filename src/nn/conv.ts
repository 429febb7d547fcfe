/** Convolution layers. */
import {
  Module,
  type Tensor,
  empty,
  conv2d,
  convTranspose2d,
  pad,
  initWeight,
  initBias,
  icnr,
  type Initializer,
  type Pair,
} from '../engine/index.js';

export interface Conv2dOptions {
  stride?: Pair;
  /** A number, a pair, or 'same' (odd kernels, stride 1 keeps H and W). */
  padding?: Pair | 'same';
  /** How padding is filled: zeros (default), or reflect as CycleGAN's generator does. */
  paddingMode?: 'zeros' | 'reflect';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  init?: Initializer;
  /** Initialise for a following pixel shuffle by this factor (ICNR). */
  icnrScale?: number;
}

export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly #padding: [number, number];
  readonly #options: Conv2dOptions;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: Conv2dOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    const w = empty([outChannels, inChannels / groups, kernelSize, kernelSize]);
    this.weight = this.parameter(
      options.icnrScale
        ? icnr(w, options.icnrScale, options.init ?? 'he-uniform')
        : initWeight(w, options.init ?? 'torch-default'),
    );
    this.bias =
      options.bias === false
        ? null
        : this.parameter(initBias(empty([outChannels]), (inChannels / groups) * kernelSize * kernelSize));
    const p = options.padding === 'same' ? Math.floor(kernelSize / 2) : (options.padding ?? 0);
    this.#padding = typeof p === 'number' ? [p, p] : [p[0], p[1]];
    this.#options = options;
  }
  forward(x: Tensor): Tensor {
    const { stride, dilation, groups, paddingMode } = this.#options;
    if (paddingMode === 'reflect' && (this.#padding[0] || this.#padding[1])) {
      const [ph, pw] = this.#padding;
      const padded = pad(x, [pw, pw, ph, ph], 'reflect');
      const y = conv2d(padded, this.weight, this.bias, { stride, dilation, groups });
      padded.dispose();
      return y;
    }
    return conv2d(x, this.weight, this.bias, { stride, padding: this.#padding, dilation, groups });
  }
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  bias?: boolean;
  init?: Initializer;
}

export class ConvTranspose2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly #options: ConvTranspose2dOptions;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: ConvTranspose2dOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    this.weight = this.parameter(
      initWeight(empty([inChannels, outChannels / groups, kernelSize, kernelSize]), options.init ?? 'torch-default'),
    );
    // PyTorch takes the bias fan from weight dim 1 (outChannels/groups * k * k).
    this.bias =
      options.bias === false
        ? null
        : this.parameter(initBias(empty([outChannels]), (outChannels / groups) * kernelSize * kernelSize));
    this.#options = options;
  }
  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, this.#options);
  }
}
