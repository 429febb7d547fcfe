/**
 * StyleGAN2's generator: a mapping network (z -> w, with the running mean of w for truncation) and a skip
 * synthesis network (a learned 4x4 constant; per level a bilinear x2 upsample, two modulated 3x3 convs with noise,
 * and a toRGB added to the upsampled image of the level below). Each modulated layer reads its own w, so styles
 * can be mixed; toRGB shares the w of the next level's first conv, as in stylegan2-ada-pytorch.
 */
import { Module, type Tensor, cat, interpolate, keep, noGrad, randn, zeros } from '../../engine/index.js';
import { EqLinear, ModulatedConv, lrelu, type NoiseMode } from './layers.js';
import { type StyleGanSpec, channelsAt, checkSpec, numWs } from './spec.js';

/** z -> w: z normalised to unit second moment, then FC layers with LeakyReLU and lr multiplier 0.01. */
export class MappingNetwork extends Module {
  layers: EqLinear[];
  /** The running mean of w (truncation pulls w towards it). */
  wAvg: Tensor;
  constructor(
    readonly zDim: number,
    depth: number,
  ) {
    super();
    this.layers = Array.from({ length: depth }, () => new EqLinear(zDim, zDim, { lrMul: 0.01 }));
    this.wAvg = this.buffer(zeros([zDim]));
  }

  /** w for z [N, zDim]; psi < 1 pulls it towards the mean (0: the mean); trackBeta updates the mean (training). */
  forward(z: Tensor, o: { psi?: number; trackBeta?: number } = {}): Tensor {
    let w = z.mul(z.square().mean(1, true).add(1e-8).rsqrt());
    for (const fc of this.layers) w = lrelu(fc.forward(w));
    if (o.trackBeta !== undefined) {
      // in the mean's own float32 (under autocast w is bf16)
      const next = keep(noGrad(() => w.detach().to(this.wAvg.dtype).mean(0).lerp(this.wAvg, o.trackBeta!)));
      noGrad(() => this.wAvg.copy_(next));
      next.dispose();
    }
    const psi = o.psi ?? 1;
    return psi === 1 ? w : this.wAvg.to(w.dtype).unsqueeze(0).lerp(w, psi);
  }
}

class SynthesisLevel extends Module {
  conv0: ModulatedConv;
  conv1: ModulatedConv;
  toRgb: ModulatedConv;
  constructor(cin: number, cout: number, wDim: number, res: number) {
    super();
    this.conv0 = new ModulatedConv(cin, cout, 3, wDim, { noiseResolution: res });
    this.conv1 = new ModulatedConv(cout, cout, 3, wDim, { noiseResolution: res });
    this.toRgb = new ModulatedConv(cout, 3, 1, wDim, { demodulate: false });
  }
}

const up2 = (x: Tensor): Tensor => interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false });

export class SynthesisNetwork extends Module {
  constant: Tensor;
  conv: ModulatedConv;
  toRgb: ModulatedConv;
  levels: SynthesisLevel[] = [];
  readonly numWs: number;
  constructor(readonly spec: StyleGanSpec) {
    super();
    const c4 = channelsAt(spec, 4);
    this.constant = this.parameter(randn([c4, 4, 4]));
    this.conv = new ModulatedConv(c4, c4, 3, spec.zDim, { noiseResolution: 4 });
    this.toRgb = new ModulatedConv(c4, 3, 1, spec.zDim, { demodulate: false });
    for (let res = 8; res <= spec.size; res *= 2) {
      this.levels.push(new SynthesisLevel(channelsAt(spec, res / 2), channelsAt(spec, res), spec.zDim, res));
    }
    this.numWs = numWs(spec.size);
  }

  /** Images [N, 3, size, size] (about -1..1) of ws [N, numWs, wDim]. */
  forward(ws: Tensor, noise: NoiseMode = 'random'): Tensor {
    const n = ws.shape[0]!,
      w = (i: number) => ws.select(1, i);
    let x = this.constant.unsqueeze(0).expand(n, -1, -1, -1);
    x = this.conv.forward(x, w(0), noise);
    let rgb = this.toRgb.forward(x, w(1), noise);
    this.levels.forEach((level, l) => {
      x = level.conv0.forward(up2(x), w(2 * l + 1), noise);
      x = level.conv1.forward(x, w(2 * l + 2), noise);
      rgb = up2(rgb).add(level.toRgb.forward(x, w(2 * l + 3), noise).to(rgb.dtype));
    });
    return rgb;
  }
}

export interface GenerateOptions {
  /** Truncation: 1 leaves w as mapped, 0 gives the mean w for every z. */
  psi?: number;
  noise?: NoiseMode;
}

export class StyleGenerator extends Module {
  mapping: MappingNetwork;
  synthesis: SynthesisNetwork;
  readonly spec: StyleGanSpec;
  constructor(spec: StyleGanSpec) {
    super();
    this.spec = checkSpec(spec);
    this.mapping = new MappingNetwork(spec.zDim, spec.mapping);
    this.synthesis = new SynthesisNetwork(spec);
  }

  get numWs(): number {
    return this.synthesis.numWs;
  }

  /** One w per layer [N, numWs, wDim]: w of z everywhere, or, given mix, w of mix.z from layer mix.cutoff on. */
  ws(z: Tensor, o: { psi?: number; trackBeta?: number; mix?: { z: Tensor; cutoff: number } } = {}): Tensor {
    const n = z.shape[0]!,
      broadcast = (w: Tensor, k: number) => w.unsqueeze(1).expand(n, k, -1);
    const w = this.mapping.forward(z, o);
    if (!o.mix || o.mix.cutoff >= this.numWs) return broadcast(w, this.numWs);
    const w2 = this.mapping.forward(o.mix.z, { psi: o.psi });
    return cat([broadcast(w, o.mix.cutoff), broadcast(w2, this.numWs - o.mix.cutoff)], 1);
  }

  forward(z: Tensor, o: GenerateOptions = {}): Tensor {
    return this.synthesis.forward(this.ws(z, { psi: o.psi }), o.noise ?? 'random');
  }
}
