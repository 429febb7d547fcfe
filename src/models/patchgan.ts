/**
 * A PatchGAN discriminator (pix2pix / CycleGAN): 4x4 stride-2 convolutions with LeakyReLU 0.2 and instance
 * norm, ending in one logit per overlapping patch (70x70 receptive field at 3 downsamplings). It judges
 * realism patch by patch, which sharpens textures without asking the generator to match a whole image.
 */
import { Module, type Tensor } from '../engine/index.js';
import { Conv2d, InstanceNorm2d, LeakyReLU, Sequential } from '../nn/index.js';

export interface PatchGanOptions {
  /** Input channels (3 for RGB). */
  channels?: number;
  /** Filters of the first layer; doubled at each downsampling up to 8x. */
  filters?: number;
  /** Stride-2 layers. */
  layers?: number;
  /**
   * instance-affine (default): instance norm with a learned scale and shift, convs with biases (the pair models'
   * judge); instance: CycleGAN's, no affine parameters and no bias on a conv followed by a norm.
   */
  norm?: 'instance-affine' | 'instance';
}

export class PatchDiscriminator extends Module {
  net: Sequential;
  constructor(o: PatchGanOptions = {}) {
    super();
    const f = o.filters ?? 64,
      layers = o.layers ?? 3,
      affine = o.norm !== 'instance';
    const mods: Module[] = [new Conv2d(o.channels ?? 3, f, 4, { stride: 2, padding: 1 }), new LeakyReLU(0.2)];
    let cin = f;
    for (let i = 1; i <= layers; i++) {
      const cout = f * Math.min(2 ** i, 8);
      const conv = new Conv2d(cin, cout, 4, { stride: i < layers ? 2 : 1, padding: 1, bias: affine });
      mods.push(conv, new InstanceNorm2d(cout, { affine }), new LeakyReLU(0.2));
      cin = cout;
    }
    mods.push(new Conv2d(cin, 1, 4, { stride: 1, padding: 1 }));
    this.net = new Sequential(...(mods as ConstructorParameters<typeof Sequential>));
  }
  /** [N, C, H, W] -> [N, 1, h, w] logits, one per patch. */
  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}
