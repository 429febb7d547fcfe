/**
 * faceswap's "original" model: 64x64x3 in and out; one shared encoder and a decoder per side.
 * Encoder: four 5x5 stride-2 convolutions (128, 256, 512, 1024 filters, LeakyReLU 0.1), Dense 1024,
 * Dense 4*4*1024, reshape to [1024, 4, 4], upscale to 512 x 8 x 8. Decoder: upscales 256, 128, 64, then a 5x5
 * convolution to 3 channels and a sigmoid. An upscale is a 3x3 convolution to 4x the filters, LeakyReLU 0.1 and
 * a pixel shuffle by 2. Parameter names match ../shared/bench/reference_original.py (enc.convs.0.weight, ...).
 */
import { Module, Tensor, type Initializer } from '../engine/index.js';
import { Conv2d, LeakyReLU, Linear, PixelShuffle, Sequential, Sigmoid, Flatten, Unflatten } from '../nn/index.js';

export interface OriginalOptions {
  /** Initialiser of the convolutions (faceswap: he-uniform). */
  init?: Initializer;
  /** ICNR initialisation of the upscale convolutions (faceswap's icnr_init option). */
  icnr?: boolean;
}

function down(cin: number, cout: number, o: OriginalOptions): Module[] {
  return [new Conv2d(cin, cout, 5, { stride: 2, padding: 2, init: o.init }), new LeakyReLU(0.1)];
}

function up(cin: number, filters: number, o: OriginalOptions): Module[] {
  return [new Conv2d(cin, filters * 4, 3, { padding: 1, init: o.init, icnrScale: o.icnr ? 2 : undefined }), new LeakyReLU(0.1), new PixelShuffle(2)];
}

const seq = (mods: Module[]): Sequential => new Sequential(...(mods as ConstructorParameters<typeof Sequential>));

export class OriginalEncoder extends Module {
  convs: Sequential;
  dense: Sequential;
  up: Sequential;
  constructor(o: OriginalOptions = {}) {
    super();
    this.convs = seq([...down(3, 128, o), ...down(128, 256, o), ...down(256, 512, o), ...down(512, 1024, o)]);
    this.dense = seq([new Flatten(), new Linear(4 * 4 * 1024, 1024), new Linear(1024, 4 * 4 * 1024), new Unflatten([1024, 4, 4])]);
    this.up = seq(up(1024, 512, o));
  }
  forward(x: Tensor): Tensor {
    const c = this.convs.forward(x);
    const d = this.dense.forward(c);
    c.dispose();
    const u = this.up.forward(d);
    d.dispose();
    return u;
  }
}

export function originalDecoder(o: OriginalOptions = {}): Sequential {
  return seq([...up(512, 256, o), ...up(256, 128, o), ...up(128, 64, o), new Conv2d(64, 3, 5, { padding: 2, init: o.init }), new Sigmoid()]);
}

/** The whole pair model: `forward(x, 'a')` reconstructs A, `forward(x, 'b')` swaps into B. */
export class OriginalModel extends Module {
  enc: OriginalEncoder;
  dec_a: Sequential;
  dec_b: Sequential;
  readonly inputSize = 64;
  constructor(o: OriginalOptions = {}) {
    super();
    this.enc = new OriginalEncoder(o);
    this.dec_a = originalDecoder(o);
    this.dec_b = originalDecoder(o);
  }
  forward(x: Tensor, side: 'a' | 'b'): Tensor {
    const z = this.enc.forward(x);
    const y = (side === 'a' ? this.dec_a : this.dec_b).forward(z);
    z.dispose();
    return y;
  }
}
