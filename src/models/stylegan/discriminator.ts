/**
 * StyleGAN2's residual discriminator: fromRGB 1x1, then per level two 3x3 convs and a 2x2 average pool beside a
 * pooled 1x1 skip (summed, scaled by 1/sqrt 2); at 4x4 the minibatch standard deviation as one more channel, a 3x3
 * conv, and two FC layers to one logit per image.
 */
import { Module, type Tensor, avgPool2d, cat, tidy } from '../../engine/index.js';
import { EqConv2d, EqLinear, SQRT2, lrelu, wide } from './layers.js';
import { type StyleGanSpec, channelsAt, checkSpec } from './spec.js';

class DiscriminatorBlock extends Module {
  conv0: EqConv2d;
  conv1: EqConv2d;
  skip: EqConv2d;
  constructor(cin: number, cout: number) {
    super();
    this.conv0 = new EqConv2d(cin, cin, 3);
    this.conv1 = new EqConv2d(cin, cout, 3);
    this.skip = new EqConv2d(cin, cout, 1, false);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const y = avgPool2d(this.skip.forward(x), 2);
      const h = avgPool2d(lrelu(this.conv1.forward(lrelu(this.conv0.forward(x)))), 2);
      return h.add(y).div(SQRT2);
    });
  }
}

/** The largest group of at most `limit` samples that divides the batch. */
const groupOf = (n: number, limit = 4): number => {
  for (let g = Math.min(limit, n); g > 1; g--) if (n % g === 0) return g;
  return 1;
};

/** Appends the mean standard deviation over groups of samples as one channel [N, C + 1, H, W]. */
export function minibatchStd(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const g = groupOf(n);
  const y = wide(x).reshape(g, -1, c, h, w);
  const std = y.sub(y.mean(0)).square().mean(0).add(1e-8).sqrt().mean([1, 2, 3]); // [n / g]
  return cat([x, std.reshape(-1, 1, 1, 1).repeat(g, 1, h, w).to(x.dtype)], 1);
}

export class StyleDiscriminator extends Module {
  fromRgb: EqConv2d;
  blocks: DiscriminatorBlock[] = [];
  conv: EqConv2d;
  fc: EqLinear;
  out: EqLinear;
  readonly spec: StyleGanSpec;
  constructor(spec: StyleGanSpec) {
    super();
    this.spec = checkSpec(spec);
    this.fromRgb = new EqConv2d(3, channelsAt(spec, spec.size), 1);
    for (let res = spec.size; res > 4; res /= 2) {
      this.blocks.push(new DiscriminatorBlock(channelsAt(spec, res), channelsAt(spec, res / 2)));
    }
    const c = channelsAt(spec, 4);
    this.conv = new EqConv2d(c + 1, c, 3);
    this.fc = new EqLinear(c * 16, c);
    this.out = new EqLinear(c, 1);
  }

  /** The activations after fromRGB and after each block (for a feature-matching loss, as project uses them). */
  features(images: Tensor): Tensor[] {
    const out = [lrelu(this.fromRgb.forward(images))];
    for (const block of this.blocks) out.push(block.forward(out.at(-1)!));
    return out;
  }

  /** One logit per image [N, 1] for images [N, 3, size, size] in -1..1. */
  forward(images: Tensor): Tensor {
    let x = this.features(images).at(-1)!;
    x = lrelu(this.conv.forward(minibatchStd(x)));
    x = lrelu(this.fc.forward(x.flatten(1)));
    return this.out.forward(x);
  }
}
