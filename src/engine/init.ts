/**
 * Weight initialisers, in place and without recording gradients. Fans follow PyTorch's convention: for a weight
 * [out, in, ...kernel], fanIn = in * prod(kernel) and fanOut = out * prod(kernel).
 */
import type { Tensor } from './tensor.js';
import { noGrad } from './autograd.js';
import { invalid, shapeText } from '../core/errors.js';
import { tidy } from './scope.js';

export type Initializer = 'he-uniform' | 'he-normal' | 'glorot-uniform' | 'glorot-normal' | 'torch-default';
export const INITIALIZERS: readonly Initializer[] = [
  'he-uniform',
  'he-normal',
  'glorot-uniform',
  'glorot-normal',
  'torch-default',
];

export function fans(w: Tensor): { fanIn: number; fanOut: number } {
  if (w.ndim < 2) throw invalid('a weight of at least 2 dims', 'fans(weight)', shapeText(w.shape));
  const receptive = w.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: w.shape[1]! * receptive, fanOut: w.shape[0]! * receptive };
}

/** Fills w by the named scheme. He uses gain sqrt(2) (ReLU); torch-default is PyTorch's kaiming_uniform(a=sqrt(5)). */
export function initWeight(w: Tensor, scheme: Initializer): Tensor {
  const { fanIn, fanOut } = fans(w);
  noGrad(() => {
    switch (scheme) {
      case 'he-uniform':
        return w.uniform_(-Math.sqrt(6 / fanIn), Math.sqrt(6 / fanIn));
      case 'he-normal':
        return w.normal_(0, Math.sqrt(2 / fanIn));
      case 'glorot-uniform': {
        const b = Math.sqrt(6 / (fanIn + fanOut));
        return w.uniform_(-b, b);
      }
      case 'glorot-normal':
        return w.normal_(0, Math.sqrt(2 / (fanIn + fanOut)));
      case 'torch-default':
        return w.uniform_(-1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
      default:
        throw invalid(`one of ${INITIALIZERS.join(', ')}`, 'initializer', scheme);
    }
  });
  return w;
}

/** PyTorch's default bias: uniform in +-1/sqrt(fanIn). */
export function initBias(b: Tensor, fanIn: number): Tensor {
  noGrad(() => b.uniform_(-1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
  return b;
}

/**
 * ICNR (Aitken et al. 2017) for a convolution followed by pixel shuffle by `scale`: the r*r sub-pixel filters of
 * each output channel start equal, so the upscale begins as nearest-neighbour and shows no checkerboard.
 */
export function icnr(w: Tensor, scale: number, scheme: Initializer = 'he-uniform'): Tensor {
  const r2 = scale * scale;
  const [out, ...rest] = w.shape as number[];
  if (out! % r2 !== 0)
    throw invalid(`a weight whose output channels divide by ${r2}`, 'icnr weight', shapeText(w.shape));
  noGrad(() =>
    tidy(() => {
      const sub = initWeight(w.narrow(0, 0, out! / r2).clone(), scheme);
      // pixel shuffle maps channels c*r2 .. c*r2+r2-1 to output channel c: repeat each sub filter r2 times in a row.
      const full = sub
        .unsqueeze(1)
        .expand(out! / r2, r2, ...rest)
        .reshape(out!, ...rest);
      w.copy_(full);
    }),
  );
  return w;
}
