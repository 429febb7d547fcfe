/** Parameter-free layers: activations, dropout, reshaping and resampling, so that they fit in a Sequential. */
import { Module, type Tensor, dropout, pixelShuffle, pixelUnshuffle, interpolate } from '../engine/index.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}
export class LeakyReLU extends Module {
  constructor(readonly slope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.slope);
  }
}
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.flatten(1);
  }
}
/** Reshapes to [N, ...shape]. */
export class Unflatten extends Module {
  constructor(readonly shape: readonly number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.reshape(x.shape[0]!, ...this.shape);
  }
}
export class PixelShuffle extends Module {
  constructor(readonly factor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.factor);
  }
}
export class PixelUnshuffle extends Module {
  constructor(readonly factor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.factor);
  }
}
export class Upsample extends Module {
  constructor(
    readonly scaleFactor: number,
    readonly mode: 'nearest' | 'bilinear' = 'nearest',
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, { scaleFactor: this.scaleFactor, mode: this.mode });
  }
}
