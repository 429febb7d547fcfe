/**
 * CycleGAN (Zhu et al. 2017), as the paper's reference code builds it (junyanz/pytorch-CycleGAN-and-pix2pix):
 * - generator "resnet": reflect-padded 7x7 conv to ngf, two stride-2 3x3 convs (2ngf, 4ngf), `blocks` residual
 *   blocks (reflect pad, 3x3 conv, instance norm, ReLU, reflect pad, 3x3 conv, instance norm; x + F(x)), two x2
 *   upsamplings back to ngf, a reflect-padded 7x7 conv to 3 channels and tanh. Instance norm has no affine
 *   parameters, and a conv followed by a norm has no bias.
 * - the upsampling is a stride-2 transposed conv (the paper's), or with `upsample: 'bilinear' | 'nearest'` a
 *   resize followed by a 3x3 conv, which users pick against checkerboard artefacts (Odena et al. 2016).
 * - discriminator: the 70x70 PatchGAN (models/patchgan.ts) with non-affine instance norm.
 * Images are in [-1, 1]. Weights start as N(0, 0.02), biases at 0.
 */
import { Module, type Tensor, noGrad } from '../engine/index.js';
import { Conv2d, ConvTranspose2d, InstanceNorm2d, ReLU, Sequential, Tanh, Upsample } from '../nn/index.js';
import { PatchDiscriminator } from './patchgan.js';

/**
 * Training loads each image at a side a little over the model's (the paper's 286 for 256) and crops the model's
 * side at random; inference sees images at this load size too (whole images), or faces at the scale it implies.
 */
export const LOAD_SCALE = 1.125;
/** The side images are loaded at for a model of side `size` (a multiple of 4, as the generators need). */
export const loadSizeOf = (size: number): number => Math.round((size * LOAD_SCALE) / 4) * 4;

export const UPSAMPLE_MODES = ['transpose', 'bilinear', 'nearest'] as const;
export type UpsampleMode = (typeof UPSAMPLE_MODES)[number];

export interface CycleGanSpec {
  /** Filters of the generator's first layer (64 in the paper). */
  ngf: number;
  /** Filters of the discriminator's first layer (64 in the paper). */
  ndf: number;
  /** Residual blocks of the generator (9 at 256 px in the paper, 6 at 128 px). */
  blocks: number;
  upsample: UpsampleMode;
}

const seq = (mods: Module[]): Sequential => new Sequential(...(mods as ConstructorParameters<typeof Sequential>));

class ResidualBlock extends Module {
  f: Sequential;
  constructor(c: number) {
    super();
    const conv = () => new Conv2d(c, c, 3, { padding: 1, paddingMode: 'reflect', bias: false });
    this.f = seq([conv(), new InstanceNorm2d(c), new ReLU(), conv(), new InstanceNorm2d(c)]);
  }
  forward(x: Tensor): Tensor {
    const y = this.f.forward(x);
    const out = x.add(y);
    y.dispose();
    return out;
  }
}

function upsample(cin: number, cout: number, mode: UpsampleMode): Module[] {
  if (mode === 'transpose') {
    return [new ConvTranspose2d(cin, cout, 3, { stride: 2, padding: 1, outputPadding: 1, bias: false })];
  }
  return [new Upsample(2, mode), new Conv2d(cin, cout, 3, { padding: 1, paddingMode: 'reflect', bias: false })];
}

/** One direction's generator: [N, 3, H, W] in [-1, 1] to the same shape (H and W multiples of 4). */
export class ResnetGenerator extends Module {
  net: Sequential;
  constructor(spec: Pick<CycleGanSpec, 'ngf' | 'blocks' | 'upsample'>) {
    super();
    const g = spec.ngf;
    const layers: Module[] = [
      new Conv2d(3, g, 7, { padding: 3, paddingMode: 'reflect', bias: false }),
      new InstanceNorm2d(g),
      new ReLU(),
    ];
    for (const m of [1, 2]) {
      layers.push(
        new Conv2d(g * m, g * m * 2, 3, { stride: 2, padding: 1, bias: false }),
        new InstanceNorm2d(g * m * 2),
        new ReLU(),
      );
    }
    for (let i = 0; i < spec.blocks; i++) layers.push(new ResidualBlock(g * 4));
    for (const m of [4, 2])
      layers.push(...upsample(g * m, (g * m) / 2, spec.upsample), new InstanceNorm2d((g * m) / 2), new ReLU());
    layers.push(new Conv2d(g, 3, 7, { padding: 3, paddingMode: 'reflect' }), new Tanh());
    this.net = seq(layers);
    initNormal(this);
  }
  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}

/** The two generators, saved together as the model's weights: g_ab turns A into B, g_ba B into A. */
export class CycleGenerators extends Module {
  g_ab: ResnetGenerator;
  g_ba: ResnetGenerator;
  constructor(spec: CycleGanSpec) {
    super();
    this.g_ab = new ResnetGenerator(spec);
    this.g_ba = new ResnetGenerator(spec);
  }
  /** The generator that draws `side`: 'b' is A->B, 'a' is B->A (as a pair model's decoders). */
  toward(side: 'a' | 'b'): ResnetGenerator {
    return side === 'b' ? this.g_ab : this.g_ba;
  }
  /** Images in 0-1 (facegan's convention outside the model) through the generator that draws `side`. */
  forward(x: Tensor, side: 'a' | 'b'): Tensor {
    const scaled = x.mul(2).sub(1);
    const y = this.toward(side).forward(scaled);
    const out = y.add(1).mul(0.5);
    scaled.dispose();
    y.dispose();
    return out;
  }
}

/** The two PatchGAN discriminators: d_a judges images of A, d_b images of B. */
export class CycleDiscriminators extends Module {
  d_a: PatchDiscriminator;
  d_b: PatchDiscriminator;
  constructor(spec: Pick<CycleGanSpec, 'ndf'>) {
    super();
    const o = { filters: spec.ndf, layers: 3, norm: 'instance' } as const;
    this.d_a = new PatchDiscriminator(o);
    this.d_b = new PatchDiscriminator(o);
    initNormal(this);
  }
  of(side: 'a' | 'b'): PatchDiscriminator {
    return side === 'a' ? this.d_a : this.d_b;
  }
}

/** The reference code's init_weights('normal', 0.02): conv weights N(0, 0.02), biases 0. */
export function initNormal(module: Module, std = 0.02): void {
  noGrad(() => {
    for (const [name, t] of module.namedParameters()) {
      if (t.ndim === 4) t.normal_(0, std);
      else if (name.endsWith('bias')) t.zero_();
    }
  });
}
