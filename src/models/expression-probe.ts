/**
 * A small regressor that reads how open a face's mouth is from its aligned crop: four 3x3 stride-2 convolutions
 * (LeakyReLU 0.2) and one linear layer over the whole last map, which keeps where each feature is (a mean over the
 * pixels instead explained 0.47 of the held-out variance on Obama and GRID s2 at 64 px, this 0.72). The pair family
 * trains it beside the model on real faces of both sides (labels from their landmarks) and asks each swap to read as
 * open as the face it came from: an expression loss in a space that needs no pretrained network.
 */
import { Module, tensor, type Tensor } from '../engine/index.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { Conv2d, Flatten, LeakyReLU, Linear, Sequential } from '../nn/index.js';

const WIDTHS = [3, 16, 32, 64, 96] as const;
const STRIDES = WIDTHS.length - 1;

export class ExpressionProbe extends Module {
  body: Sequential;
  head: Linear;
  /** The iteration after which it began to learn (-1: not yet): saved with it, so that a resumed run knows. */
  since: Tensor;
  /** For S x S faces; S a multiple of 16. */
  constructor(readonly size: number) {
    super();
    if (!Number.isInteger(size / 2 ** STRIDES) || size <= 0)
      throw new FaceganError(
        ErrorCodes.BAD_ARGUMENT,
        `the expression probe reads faces of a multiple of 16 px, not ${size}`,
      );
    this.since = this.buffer(tensor([-1]));
    const layers = WIDTHS.slice(1).flatMap((w, i) => [
      new Conv2d(WIDTHS[i]!, w, 3, { stride: 2, padding: 1 }),
      new LeakyReLU(0.2),
    ]);
    this.body = new Sequential(...(layers as ConstructorParameters<typeof Sequential>), new Flatten());
    const side = size / 2 ** STRIDES;
    this.head = new Linear(WIDTHS[STRIDES]! * side * side, 1);
  }
  /** [N, 3, S, S] faces in 0-1 -> [N] readings. */
  forward(x: Tensor): Tensor {
    const f = this.body.forward(x);
    const y = this.head.forward(f);
    f.dispose();
    return y.squeeze(1);
  }
}
