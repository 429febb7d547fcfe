/** Normalisation layers. */
import { Module, type Tensor, ones, zeros, batchNorm, instanceNorm, layerNorm, groupNorm } from '../engine/index.js';

/** Batch norm over [N, C, H, W] with running statistics (used in eval mode). */
export class BatchNorm2d extends Module {
  weight: Tensor;
  bias: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
  constructor(
    readonly numFeatures: number,
    readonly options: { eps?: number; momentum?: number } = {},
  ) {
    super();
    this.weight = this.parameter(ones([numFeatures]));
    this.bias = this.parameter(zeros([numFeatures]));
    this.runningMean = this.buffer(zeros([numFeatures]));
    this.runningVar = this.buffer(ones([numFeatures]));
  }
  forward(x: Tensor): Tensor {
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: this.training,
      momentum: this.options.momentum,
      eps: this.options.eps,
    });
  }
}

/** Instance norm (CycleGAN, style transfer): per sample and channel. `affine` adds a learned scale and shift. */
export class InstanceNorm2d extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  constructor(
    readonly numFeatures: number,
    readonly options: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    this.weight = options.affine ? this.parameter(ones([numFeatures])) : null;
    this.bias = options.affine ? this.parameter(zeros([numFeatures])) : null;
  }
  forward(x: Tensor): Tensor {
    return instanceNorm(x, { weight: this.weight, bias: this.bias, eps: this.options.eps });
  }
}

export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(
    readonly normalizedShape: readonly number[],
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.parameter(ones(normalizedShape));
    this.bias = this.parameter(zeros(normalizedShape));
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

export class GroupNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(
    readonly groups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.parameter(ones([numChannels]));
    this.bias = this.parameter(zeros([numChannels]));
  }
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.groups, this.weight, this.bias, this.eps);
  }
}
