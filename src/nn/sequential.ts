/** Sequential: layers applied in order, named 0, 1, 2... as in PyTorch. */
import { Module, type Tensor, type Layer } from '../engine/index.js';

export class Sequential extends Module {
  readonly length: number;
  constructor(...layers: (Module & Layer)[]) {
    super();
    layers.forEach((layer, i) => ((this as unknown as Record<number, Module>)[i] = layer));
    this.length = layers.length;
  }
  layer(i: number): Module & Layer {
    return (this as unknown as Record<number, Module & Layer>)[i]!;
  }
  /** Runs each layer; intermediate outputs are released as soon as the next layer has used them. */
  forward(x: Tensor): Tensor {
    let out = x;
    for (let i = 0; i < this.length; i++) {
      const prev = out;
      out = this.layer(i).forward(prev);
      // Intermediates the graph still needs are kept alive by autograd itself; our handle can go now.
      if (prev !== x && prev !== out) prev.dispose();
    }
    return out;
  }
}
