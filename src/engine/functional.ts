/**
 * Layer functions (PyTorch's torch.nn.functional): convolutions, resampling, warps, normalisation and losses.
 * Shapes are checked here so that a mistake reads as what was expected and what was received.
 */
import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';
import { invalid, shapeText } from '../core/errors.js';

export type Pair = number | readonly [number, number];
export type Reduction = 'mean' | 'sum' | 'none';

const pair = (v: Pair, name: string): number[] => {
  const p = typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 0))
    throw invalid('a non-negative integer or a pair of them', name, v);
  return p;
};
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
const reduction = (r: Reduction): number => {
  if (!(r in REDUCTION)) throw invalid("'mean', 'sum' or 'none'", 'reduction', r);
  return REDUCTION[r];
};
const shapeStr = (s: readonly (number | string)[]): string => `[${s.join(', ')}]`;

function expectNd(x: Tensor, n: number, op: string, layout: string): void {
  if (x.ndim !== n) throw invalid(`a ${n}-d input ${layout}`, `${op} input`, shapeText(x.shape));
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** 2-D convolution. x [N, Cin, H, W], weight [Cout, Cin/groups, kH, kW], bias [Cout]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, o: Conv2dOptions = {}): Tensor {
  const groups = o.groups ?? 1;
  expectNd(x, 4, 'conv2d', '[N, C, H, W]');
  if (x.shape[1] !== weight.shape[1]! * groups) {
    throw invalid(
      `an input with ${weight.shape[1]! * groups} channels (weight ${shapeStr(weight.shape)})`,
      'conv2d input',
      shapeText(x.shape),
    );
  }
  const stride = pair(o.stride ?? 1, 'stride'),
    padding = pair(o.padding ?? 0, 'padding'),
    dilation = pair(o.dilation ?? 1, 'dilation');
  const [kh, kw] = [weight.shape[2]!, weight.shape[3]!];
  const ho = Math.floor((x.shape[2]! + 2 * padding[0]! - dilation[0]! * (kh - 1) - 1) / stride[0]!) + 1,
    wo = Math.floor((x.shape[3]! + 2 * padding[1]! - dilation[1]! * (kw - 1) - 1) / stride[1]!) + 1;
  if (groups === 1 && ho * wo <= IM2COL_MAX_PIXELS && kh * kw > 1 && x.device === 'cpu') {
    // a few output pixels from large weights: oneDNN's weight gradient is slow there (docs/engine.md)
    const cols = wrap(native().im2col(x.handle, [kh, kw], dilation, padding, stride));
    const flat = weight.reshape(weight.shape[0]!, -1);
    const y = flat.matmul(cols);
    cols.dispose();
    flat.dispose();
    const out = y.reshape(x.shape[0]!, weight.shape[0]!, ho, wo);
    y.dispose();
    if (!bias) return out;
    // in the product's dtype (bf16 under autocast), as the convolution's own bias
    const b = bias.to(out.dtype).reshape(1, -1, 1, 1);
    const withBias = out.add(b);
    out.dispose();
    b.dispose();
    return withBias;
  }
  return wrap(native().conv2d(x.handle, weight.handle, bias?.handle, stride, padding, dilation, groups));
}

/**
 * CPU convolutions with at most this many output pixels (a 4 x 4 seed) run as im2col and one matrix product:
 * large weights on a few pixels, whose weight gradient oneDNN computes slowly (docs/engine.md).
 */
const IM2COL_MAX_PIXELS = 16;

/** Transposed 2-D convolution. weight [Cin, Cout/groups, kH, kW]. */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  o: Conv2dOptions & { outputPadding?: Pair } = {},
): Tensor {
  expectNd(x, 4, 'convTranspose2d', '[N, C, H, W]');
  if (x.shape[1] !== weight.shape[0]) {
    throw invalid(
      `an input with ${weight.shape[0]} channels (weight ${shapeStr(weight.shape)})`,
      'convTranspose2d input',
      shapeText(x.shape),
    );
  }
  return wrap(
    native().convTranspose2d(
      x.handle,
      weight.handle,
      bias?.handle,
      pair(o.stride ?? 1, 'stride'),
      pair(o.padding ?? 0, 'padding'),
      pair(o.outputPadding ?? 0, 'outputPadding'),
      o.groups ?? 1,
      pair(o.dilation ?? 1, 'dilation'),
    ),
  );
}

/** x @ weight^T + bias. x [..., in], weight [out, in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw invalid(
      `an input whose last dim is ${weight.shape[1]} (weight ${shapeStr(weight.shape)})`,
      'linear input',
      shapeText(x.shape),
    );
  }
  return wrap(native().linear(x.handle, weight.handle, bias?.handle));
}

/** [N, C*r*r, H, W] -> [N, C, H*r, W*r] */
export function pixelShuffle(x: Tensor, r: number): Tensor {
  expectNd(x, 4, 'pixelShuffle', '[N, C, H, W]');
  if (x.shape[1]! % (r * r) !== 0)
    throw invalid(`a channel count divisible by ${r * r}`, 'pixelShuffle input', shapeText(x.shape));
  return wrap(native().pixelShuffle(x.handle, r));
}

/** [N, C, H*r, W*r] -> [N, C*r*r, H, W] */
export function pixelUnshuffle(x: Tensor, r: number): Tensor {
  expectNd(x, 4, 'pixelUnshuffle', '[N, C, H, W]');
  return wrap(native().pixelUnshuffle(x.handle, r));
}

export interface InterpolateOptions {
  size?: readonly [number, number];
  scaleFactor?: number;
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

/** Resizes [N, C, H, W] to `size` or by `scaleFactor`. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  expectNd(x, 4, 'interpolate', '[N, C, H, W]');
  const size = o.size
    ? [...o.size]
    : o.scaleFactor
      ? [Math.floor(x.shape[2]! * o.scaleFactor), Math.floor(x.shape[3]! * o.scaleFactor)]
      : undefined;
  if (!size?.every((s) => Number.isInteger(s) && s > 0))
    throw invalid('a positive size [H, W] or scaleFactor', 'interpolate options', o.size ?? o.scaleFactor);
  const mode = o.mode ?? 'nearest';
  if (mode === 'nearest') return wrap(native().upsampleNearest2d(x.handle, size));
  if (mode === 'bilinear') return wrap(native().upsampleBilinear2d(x.handle, size, o.alignCorners ?? false));
  throw invalid("'nearest' or 'bilinear'", 'interpolate mode', mode);
}

/** Pads the last two dims by [left, right, top, bottom] (or the last dim alone by [left, right] for 'zeros'). */
export function pad(
  x: Tensor,
  amounts: readonly number[],
  mode: 'zeros' | 'reflect' | 'replicate' = 'zeros',
  value = 0,
): Tensor {
  if (mode === 'zeros') return wrap(native().constantPad(x.handle, [...amounts], value));
  if (amounts.length !== 4) throw invalid('[left, right, top, bottom]', `pad amounts (${mode})`, amounts);
  expectNd(x, 4, 'pad', '[N, C, H, W]');
  if (mode === 'reflect') return wrap(native().reflectionPad2d(x.handle, [...amounts]));
  if (mode === 'replicate') return wrap(native().replicationPad2d(x.handle, [...amounts]));
  throw invalid("'zeros', 'reflect' or 'replicate'", 'pad mode', mode);
}

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}

/** Samples x [N, C, H, W] at grid [N, Ho, Wo, 2] (x, y in [-1, 1]), as PyTorch's grid_sample. */
export function gridSample(x: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  expectNd(x, 4, 'gridSample', '[N, C, H, W]');
  if (grid.ndim !== 4 || grid.shape[3] !== 2 || grid.shape[0] !== x.shape[0]) {
    throw invalid(`a grid [${x.shape[0]}, Ho, Wo, 2]`, 'gridSample grid', shapeText(grid.shape));
  }
  const mode = ['bilinear', 'nearest', 'bicubic'].indexOf(o.mode ?? 'bilinear');
  const padding = ['zeros', 'border', 'reflection'].indexOf(o.paddingMode ?? 'zeros');
  if (mode < 0) throw invalid("'bilinear', 'nearest' or 'bicubic'", 'gridSample mode', o.mode);
  if (padding < 0) throw invalid("'zeros', 'border' or 'reflection'", 'gridSample paddingMode', o.paddingMode);
  return wrap(native().gridSample(x.handle, grid.handle, mode, padding, o.alignCorners ?? false));
}

/** The sampling grid [N, H, W, 2] of affine matrices theta [N, 2, 3] for an output of size [N, C, H, W]. */
export function affineGrid(
  theta: Tensor,
  size: readonly [number, number, number, number],
  alignCorners = false,
): Tensor {
  if (theta.ndim !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3) {
    throw invalid('theta of shape [N, 2, 3]', 'affineGrid theta', shapeText(theta.shape));
  }
  return wrap(native().affineGrid(theta.handle, [...size], alignCorners));
}

export function avgPool2d(x: Tensor, kernel: Pair, stride: Pair = kernel, padding: Pair = 0): Tensor {
  return wrap(native().avgPool2d(x.handle, pair(kernel, 'kernel'), pair(stride, 'stride'), pair(padding, 'padding')));
}
export function maxPool2d(x: Tensor, kernel: Pair, stride: Pair = kernel, padding: Pair = 0): Tensor {
  return wrap(native().maxPool2d(x.handle, pair(kernel, 'kernel'), pair(stride, 'stride'), pair(padding, 'padding')));
}
export function adaptiveAvgPool2d(x: Tensor, size: Pair): Tensor {
  return wrap(native().adaptiveAvgPool2d(x.handle, pair(size, 'size')));
}

/** Batch norm over [N, C, ...]; in training the running statistics (when given) are updated in place. */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  o: { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number } = {},
): Tensor {
  return wrap(
    native().batchNorm(
      x.handle,
      o.weight?.handle,
      o.bias?.handle,
      runningMean?.handle,
      runningVar?.handle,
      o.training ?? false,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
    ),
  );
}

/** Instance norm: each sample's channels normalised over their own spatial extent. */
export function instanceNorm(
  x: Tensor,
  o: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {},
): Tensor {
  return wrap(native().instanceNorm(x.handle, o.weight?.handle, o.bias?.handle, null, null, true, 0.1, o.eps ?? 1e-5));
}

export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  return wrap(native().layerNorm(x.handle, [...normalizedShape], weight?.handle, bias?.handle, eps));
}

export function groupNorm(x: Tensor, groups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  if (x.shape[1]! % groups !== 0)
    throw invalid(`a channel count divisible by ${groups} groups`, 'groupNorm input', shapeText(x.shape));
  return wrap(native().groupNorm(x.handle, groups, weight?.handle, bias?.handle, eps));
}

export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw invalid('a probability in [0, 1)', 'dropout p', p);
  return wrap(native().dropout(x.handle, p, training));
}

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw invalid(`a target of the input's shape ${shapeStr(a.shape)}`, `${op} target`, shapeText(b.shape));
  }
}

/** Mean absolute error. */
export function l1Loss(input: Tensor, target: Tensor, r: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'l1Loss');
  return wrap(native().l1Loss(input.handle, target.handle, reduction(r)));
}

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, r: Reduction = 'mean'): Tensor {
  sameShape(input, target, 'mseLoss');
  return wrap(native().mseLoss(input.handle, target.handle, reduction(r)));
}

/** Binary cross-entropy on logits (numerically stable). */
export function bceWithLogits(
  logits: Tensor,
  target: Tensor,
  o: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  sameShape(logits, target, 'bceWithLogits');
  return wrap(
    native().bceWithLogits(
      logits.handle,
      target.handle,
      o.weight?.handle,
      o.posWeight?.handle,
      reduction(o.reduction ?? 'mean'),
    ),
  );
}
