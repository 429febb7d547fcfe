/** Fully connected layer. */
import { Module, type Tensor, empty, linear, initWeight, initBias, type Initializer } from '../engine/index.js';

export interface LinearOptions {
  bias?: boolean;
  /** Weight initialiser (default PyTorch's). */
  init?: Initializer;
}

/** y = x W^T + b, for x [..., inFeatures]. */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    this.weight = this.parameter(initWeight(empty([outFeatures, inFeatures]), options.init ?? 'torch-default'));
    this.bias = options.bias === false ? null : this.parameter(initBias(empty([outFeatures]), inFeatures));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
