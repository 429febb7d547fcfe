/**
 * The faceswap family of pair models: one shared encoder and one decoder per side, differing only in widths and
 * sizes (an AutoencoderSpec). The encoder is a stack of 5x5 stride-2 convolutions (LeakyReLU 0.1), two dense
 * layers through a bottleneck, a reshape to a small square and one upscale; each decoder upscales to the output
 * size and ends in a 5x5 convolution and a sigmoid. An upscale is a 3x3 convolution to 4x the filters, LeakyReLU
 * 0.1 and a pixel shuffle by 2. With `mask`, the last convolution has a 4th channel: a learned face mask.
 * Parameter names follow ../shared/bench/reference_original.py (enc.convs.0.weight, dec_a.0.weight, ...).
 */
import { cat, Module, tidy, type Tensor, type Initializer } from '../engine/index.js';
import { Conv2d, LeakyReLU, Linear, PixelShuffle, Sequential, Sigmoid, Flatten, Unflatten } from '../nn/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

export interface AutoencoderSpec {
  /** Side of the square input and output, in pixels. */
  size: number;
  /** Filters of the encoder's stride-2 convolutions, in order. */
  encoder: readonly number[];
  /** Width of the bottleneck dense layer. */
  dense: number;
  /** Side and channels of the square the second dense layer is reshaped to. */
  seed: number;
  seedFilters: number;
  /** Filters of the encoder's closing upscale. */
  encoderUp: number;
  /** Filters of the decoder's upscales, in order. */
  decoder: readonly number[];
}

export interface AutoencoderOptions {
  /** Initialiser of the convolutions (faceswap: he-uniform). */
  init?: Initializer;
  /** ICNR initialisation of the upscale convolutions (faceswap's icnr_init option). */
  icnr?: boolean;
  /** Learn a face mask as a 4th output channel. */
  mask?: boolean;
}

const seq = (mods: Module[]): Sequential => new Sequential(...(mods as ConstructorParameters<typeof Sequential>));

function down(cin: number, cout: number, o: AutoencoderOptions): Module[] {
  return [new Conv2d(cin, cout, 5, { stride: 2, padding: 2, init: o.init }), new LeakyReLU(0.1)];
}

function up(cin: number, filters: number, o: AutoencoderOptions): Module[] {
  return [
    new Conv2d(cin, filters * 4, 3, { padding: 1, init: o.init, icnrScale: o.icnr ? 2 : undefined }),
    new LeakyReLU(0.1),
    new PixelShuffle(2),
  ];
}

/** Checks that a spec's sizes fit together, with a message naming what does not. */
export function checkSpec(spec: AutoencoderSpec): void {
  const reduced = spec.size / 2 ** spec.encoder.length;
  const grown = spec.seed * 2 ** (spec.decoder.length + 1);
  if (!Number.isInteger(reduced) || grown !== spec.size) {
    throw new FaceganError(
      ErrorCodes.BAD_ARGUMENT,
      `model spec does not fit: ${spec.size} px through ${spec.encoder.length} stride-2 convolutions ` +
        `gives ${reduced}, ` +
        `and a ${spec.seed} px seed through ${spec.decoder.length + 1} upscales gives ${grown} (expected ${spec.size})`,
    );
  }
}

export class Encoder extends Module {
  convs: Sequential;
  dense: Sequential;
  up: Sequential;
  constructor(spec: AutoencoderSpec, o: AutoencoderOptions = {}) {
    super();
    const widths = [3, ...spec.encoder];
    this.convs = seq(spec.encoder.flatMap((f, i) => down(widths[i]!, f, o)));
    const side = spec.size / 2 ** spec.encoder.length;
    const flat = side * side * spec.encoder[spec.encoder.length - 1]!;
    const seedSize = spec.seed * spec.seed * spec.seedFilters;
    this.dense = seq([
      new Flatten(),
      new Linear(flat, spec.dense),
      new Linear(spec.dense, seedSize),
      new Unflatten([spec.seedFilters, spec.seed, spec.seed]),
    ]);
    this.up = seq(up(spec.seedFilters, spec.encoderUp, o));
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

export function decoder(spec: AutoencoderSpec, o: AutoencoderOptions = {}): Sequential {
  const widths = [spec.encoderUp, ...spec.decoder];
  const ups = spec.decoder.flatMap((f, i) => up(widths[i]!, f, o));
  return seq([
    ...ups,
    new Conv2d(spec.decoder[spec.decoder.length - 1]!, o.mask ? 4 : 3, 5, { padding: 2, init: o.init }),
    new Sigmoid(),
  ]);
}

export interface PairForwardOptions {
  /** How many faces of each side also go through the other side's decoder (0: none). */
  swapFaces?: number;
  /** Also the latent cycle over those swapped faces (none without them). */
  cycle?: boolean;
  /** Also return the shared codes of A's faces then B's (`codes`). */
  codes?: boolean;
}

export interface PairForward {
  a: Tensor;
  b: Tensor;
  /** The first swapFaces faces of A as B, then those of B as A. */
  swapped?: Tensor;
  cycle?: Tensor;
  /** [N + M, ...] the encoder's output for A's faces then B's. */
  codes?: Tensor;
}

/** A pair model: `forward(x, 'a')` reconstructs A, `forward(x, 'b')` gives B's face with A's expression and pose. */
export class PairAutoencoder extends Module {
  enc: Encoder;
  dec_a: Sequential;
  dec_b: Sequential;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly mask: boolean;
  constructor(
    readonly spec: AutoencoderSpec,
    o: AutoencoderOptions = {},
  ) {
    super();
    checkSpec(spec);
    this.enc = new Encoder(spec, o);
    this.dec_a = decoder(spec, o);
    this.dec_b = decoder(spec, o);
    this.inputSize = this.outputSize = spec.size;
    this.mask = o.mask ?? false;
  }
  /** [N, 3, S, S] in 0-1 -> [N, 3, S, S] (or [N, 4, S, S] with the mask as channel 3). */
  forward(x: Tensor, side: 'a' | 'b'): Tensor {
    const z = this.enc.forward(x);
    const y = (side === 'a' ? this.dec_a : this.dec_b).forward(z);
    z.dispose();
    return y;
  }
  /**
   * A's faces through decoder A and B's through decoder B, the shared encoder run once on both batches together: the
   * same outputs and gradients as two forward() calls, but the encoder's deep convolutions (large weights on a few
   * pixels, whose weight gradient costs about as much for 2n faces as for n) run once a step instead of twice.
   * With `swapFaces` k, also `swapped`: the first k faces of A decoded as B, then the first k of B decoded as A. With
   * `cycle` as well, the latent cycle: the swapped faces, encoded again, should give back the code they came from;
   * `cycle` is the mean L1 distance over the mean L1 spread of those codes about their mean (the codes are the
   * target, not moved by it): 1 means the face came back as far from its code as faces are from each other, whatever
   * the codes' scale. It asks each decoder to carry all of the other side's code, the mouth's shape included, into its
   * own person's face, rather than a template of that person.
   */
  forwardPair(a: Tensor, b: Tensor, o: PairForwardOptions = {}): PairForward {
    const n = a.shape[0]!,
      m = b.shape[0]!;
    const both = cat([a, b], 0);
    const z = this.enc.forward(both);
    both.dispose();
    const [za, zb] = [z.narrow(0, 0, n), z.narrow(0, n, m)];
    const out: PairForward = { a: this.dec_a.forward(za), b: this.dec_b.forward(zb) };
    const k = o.swapFaces ?? 0;
    if (k > 0) {
      const [ka, kb] = [Math.min(k, n), Math.min(k, m)];
      out.swapped = tidy(() =>
        cat([this.dec_b.forward(za.narrow(0, 0, ka)), this.dec_a.forward(zb.narrow(0, 0, kb))], 0),
      );
      if (o.cycle) {
        const swapped = out.swapped;
        out.cycle = tidy(() => {
          const again = this.enc.forward(this.mask ? swapped.narrow(1, 0, 3) : swapped);
          const codes = cat([za.narrow(0, 0, ka), zb.narrow(0, 0, kb)], 0).detach();
          // over the codes' own spread between faces, so that the term does not grow or shrink with their scale
          const spread = codes.sub(codes.mean(0, true)).abs().mean().clamp(1e-6);
          return again.sub(codes).abs().mean().div(spread);
        });
      }
    }
    for (const t of [za, zb]) t.dispose();
    if (o.codes) out.codes = z;
    else z.dispose();
    return out;
  }
}
