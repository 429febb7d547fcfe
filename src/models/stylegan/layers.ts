/**
 * StyleGAN2's layers (Karras et al. 2020), as in NVlabs' stylegan2-ada-pytorch and ../shared/bench's
 * reference_stylegan2.py: every weight is drawn from N(0, 1) and scaled by 1/sqrt(fan_in) at run time (equalised
 * learning rate), and the modulated convolution is the "unfused" form: the styles scale the input channels, one conv
 * is shared by the batch, and demodulation scales its output channels.
 */
import { Module, type Tensor, conv2d, full, linear, randn, tidy, zeros } from '../../engine/index.js';

export const SQRT2 = Math.SQRT2;

/** x in at least float32 (bf16/fp16 under autocast go up; float64 stays), for sums that need the range. */
export const wide = (x: Tensor): Tensor => (x.dtype === 'bfloat16' || x.dtype === 'float16' ? x.to('float32') : x);

/** LeakyReLU 0.2 with StyleGAN's gain sqrt(2), which keeps unit variance through the layer. */
export const lrelu = (x: Tensor): Tensor => tidy(() => x.leakyRelu(0.2).mul(SQRT2));

/** A fully connected layer with equalised learning rate; lrMul slows it (the mapping network's 0.01). */
export class EqLinear extends Module {
  weight: Tensor;
  bias: Tensor;
  readonly scale: number;
  readonly lrMul: number;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: { biasInit?: number; lrMul?: number } = {},
  ) {
    super();
    this.lrMul = o.lrMul ?? 1;
    this.weight = this.parameter(randn([outFeatures, inFeatures]).div(this.lrMul));
    this.bias = this.parameter(full([outFeatures], o.biasInit ?? 0));
    this.scale = this.lrMul / Math.sqrt(inFeatures);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => linear(x, this.weight.mul(this.scale), this.lrMul === 1 ? this.bias : this.bias.mul(this.lrMul)));
  }
}

/** A square convolution with equalised learning rate, padded to keep the size. */
export class EqConv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly scale: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    bias = true,
  ) {
    super();
    this.weight = this.parameter(randn([outChannels, inChannels, kernel, kernel]));
    this.bias = bias ? this.parameter(zeros([outChannels])) : null;
    this.scale = 1 / Math.sqrt(inChannels * kernel * kernel);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => conv2d(x, this.weight.mul(this.scale), this.bias, { padding: this.kernel >> 1 }));
  }
}

/** Where a layer's per-pixel noise comes from: fresh each call, fixed per layer (buffers), or none. */
export type NoiseMode = 'random' | 'const' | 'none';

export interface ModulatedConvOptions {
  /** Divide each output channel by its expected norm (every conv but toRGB). */
  demodulate?: boolean;
  /** Add per-pixel noise of learned strength at this resolution (every conv but toRGB). */
  noiseResolution?: number;
}

/**
 * A modulated convolution: an affine map of w gives one scale per input channel and sample (the style), the
 * weights act on the styled input, and with demodulation each output channel of each sample is divided by
 * sqrt(sum over inputs and taps of (w * s)^2), which restores unit variance for unit-variance inputs. Convs with
 * demodulation then add noise, a bias and LeakyReLU; toRGB (no demodulation) adds only its bias.
 */
export class ModulatedConv extends Module {
  affine: EqLinear;
  weight: Tensor;
  bias: Tensor;
  noiseStrength: Tensor | null;
  noiseConst: Tensor | null;
  readonly scale: number;
  readonly demodulate: boolean;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    wDim: number,
    o: ModulatedConvOptions = {},
  ) {
    super();
    this.affine = new EqLinear(wDim, inChannels, { biasInit: 1 });
    this.weight = this.parameter(randn([outChannels, inChannels, kernel, kernel]));
    this.bias = this.parameter(zeros([outChannels]));
    this.demodulate = o.demodulate ?? true;
    const r = o.noiseResolution;
    this.noiseStrength = r ? this.parameter(zeros([])) : null;
    this.noiseConst = r ? this.buffer(randn([r, r])) : null;
    this.scale = 1 / Math.sqrt(inChannels * kernel * kernel);
  }

  /** The styles [N, inChannels] of w [N, wDim]. */
  styles(w: Tensor): Tensor {
    return this.affine.forward(w);
  }

  /** In a tidy of its own: the intermediates autograd does not keep are freed at once (as PyTorch frees them). */
  forward(x: Tensor, w: Tensor, noise: NoiseMode = 'random'): Tensor {
    return tidy(() => this.#forward(x, w, noise));
  }

  #forward(x: Tensor, w: Tensor, noise: NoiseMode): Tensor {
    const s = this.styles(w);
    const weight = this.weight.mul(this.scale);
    let y = conv2d(x.mul(s.unsqueeze(2).unsqueeze(3).to(x.dtype)), weight, null, { padding: this.kernel >> 1 });
    if (this.demodulate) {
      // sum over taps of weight^2 [out, in] times s^2 [in, N]: each sample's output norms, in float32 at least
      const norms = wide(weight.square().sum([2, 3])).matmul(wide(s.square()).transpose(0, 1));
      const d = norms.add(1e-8).rsqrt().transpose(0, 1); // [N, out]
      y = y.mul(d.unsqueeze(2).unsqueeze(3).to(y.dtype));
    }
    if (this.noiseStrength && noise !== 'none') {
      const [n, , h, wd] = y.shape as [number, number, number, number];
      // drawn in y's dtype; the 0-d float32 strength leaves a bf16 product bf16, so neither is cast (as the
      // reference does it: under autocast, two casts and a backward cast fewer per layer)
      const field =
        noise === 'const'
          ? this.noiseConst!.view(1, 1, h, wd).to(y.dtype)
          : randn([n, 1, h, wd], { device: y.device, dtype: y.dtype });
      y = y.add(field.mul(this.noiseStrength));
    }
    y = y.add(this.bias.view(1, -1, 1, 1).to(y.dtype));
    return this.demodulate ? lrelu(y) : y;
  }
}
