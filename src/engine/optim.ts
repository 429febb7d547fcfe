/**
 * Adam and AdamW, as PyTorch computes them. The arithmetic of one step runs natively over all parameters in one
 * call; the moment estimates are ordinary tensors owned here, so they are saved with the model and resumed.
 * @example
 * const opt = new Adam(model, { lr: 5e-5, betas: [0.5, 0.999], eps: 1e-7 });
 * tidy(() => { opt.zeroGrad(); loss(model).backward(); opt.step(); });
 */
import { Tensor } from './tensor.js';
import { native, type AdamKernel } from './native.js';
import { keep, tidy } from './scope.js';
import { autocast } from './runtime.js';
import { noGrad, zeroGrad } from './autograd.js';
import { zerosLike } from './factory.js';
import { Module } from './module.js';
import { ErrorCodes, FaceganError, invalid } from '../core/errors.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /**
   * How the update runs; the arithmetic is the same. 'fused' (default on a CPU): one pass over each parameter's
   * values, which reads and writes each once where tensor ops take eight passes (2.4x faster on faceswap's original
   * model). 'foreach' (default on CUDA, as PyTorch): multi-tensor ops over all parameters, a few kernel launches a
   * step instead of eight per parameter. 'loop': eight tensor ops per parameter, as PyTorch's own loop.
   */
  kernel?: AdamKernel;
}

/** What an optimizer saves: its moment tensors by name, and its counters and settings. */
export interface OptimizerState {
  tensors: Map<string, Tensor>;
  meta: { type: string; step: number; lr: number; betas: [number, number]; eps: number; weightDecay: number };
}

type ParamSource = Module | readonly Tensor[] | readonly [string, Tensor][];

function named(params: ParamSource): [string, Tensor][] {
  if (params instanceof Module) return params.namedParameters();
  return (params as readonly (Tensor | [string, Tensor])[]).map((p, i) => (p instanceof Tensor ? [String(i), p] : p));
}

function checkRange(value: number, lo: number, hi: number, name: string, inclusiveHi = false): number {
  if (typeof value !== 'number' || !(value >= lo && (inclusiveHi ? value <= hi : value < hi))) {
    throw invalid(`a number in [${lo}, ${hi}${inclusiveHi ? ']' : ')'}`, name, value);
  }
  return value;
}

export class Adam {
  readonly names: string[];
  readonly params: Tensor[];
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  readonly kernel: AdamKernel | undefined;
  /** Number of steps taken (the bias correction uses it). */
  stepCount = 0;
  #m: Tensor[] = [];
  #v: Tensor[] = [];
  protected readonly decoupled: boolean = false;

  constructor(params: ParamSource, options: AdamOptions = {}) {
    const list = named(params);
    if (list.length === 0) throw invalid('at least one parameter', 'optimizer params', list);
    this.names = list.map(([n]) => n);
    this.params = list.map(([, t]) => t);
    this.lr = checkRange(options.lr ?? 1e-3, 0, 10, 'lr', true);
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.betas = [checkRange(b1, 0, 1, 'betas[0]'), checkRange(b2, 0, 1, 'betas[1]')];
    this.eps = checkRange(options.eps ?? 1e-8, 0, 1, 'eps', true);
    this.weightDecay = checkRange(options.weightDecay ?? this.defaultWeightDecay(), 0, 1, 'weightDecay', true);
    if (options.kernel !== undefined && !['fused', 'foreach', 'loop'].includes(options.kernel))
      throw invalid("'fused', 'foreach' or 'loop'", 'kernel', options.kernel);
    this.kernel = options.kernel;
  }

  protected defaultWeightDecay(): number {
    return 0;
  }

  #ensureState(): void {
    if (this.#m.length) return;
    noGrad(() => {
      this.#m = this.params.map((p) => keep(zerosLike(p)));
      this.#v = this.params.map((p) => keep(zerosLike(p)));
    });
  }

  /** Applies one update from the parameters' current gradients. */
  step(): void {
    this.#ensureState();
    this.stepCount++;
    native().adamStep(
      this.params.map((p) => p.handle),
      this.#m.map((t) => t.handle),
      this.#v.map((t) => t.handle),
      this.stepCount,
      this.lr,
      this.betas[0],
      this.betas[1],
      this.eps,
      this.weightDecay,
      this.decoupled,
      this.kernel ?? (this.params.every((p) => p.device !== 'cpu') ? 'foreach' : 'fused'),
    );
  }

  zeroGrad(): void {
    zeroGrad(this.params);
  }

  stateDict(): OptimizerState {
    this.#ensureState();
    const tensors = new Map<string, Tensor>();
    this.names.forEach((n, i) => {
      tensors.set(`${n}.exp_avg`, this.#m[i]!);
      tensors.set(`${n}.exp_avg_sq`, this.#v[i]!);
    });
    return {
      tensors,
      meta: {
        type: this.constructor.name,
        step: this.stepCount,
        lr: this.lr,
        betas: [...this.betas],
        eps: this.eps,
        weightDecay: this.weightDecay,
      },
    };
  }

  /** Restores moments and the step count (settings such as lr stay as constructed unless `restoreSettings`). */
  loadStateDict(state: OptimizerState, options: { restoreSettings?: boolean } = {}): void {
    this.#ensureState();
    const missing = this.names.filter(
      (n) => !state.tensors.has(`${n}.exp_avg`) || !state.tensors.has(`${n}.exp_avg_sq`),
    );
    if (missing.length) {
      throw new FaceganError(
        ErrorCodes.BAD_MODEL,
        `The optimizer state does not match the model: no moments for ${missing.slice(0, 5).join(', ')}. ` +
          'Was it saved for another model?',
      );
    }
    noGrad(() =>
      this.names.forEach((n, i) => {
        for (const [suffix, dst] of [
          ['exp_avg', this.#m[i]!],
          ['exp_avg_sq', this.#v[i]!],
        ] as const) {
          const src = state.tensors.get(`${n}.${suffix}`)!;
          if (src.numel !== dst.numel)
            throw new FaceganError(
              ErrorCodes.BAD_MODEL,
              `The optimizer state for ${n} has ${src.numel} values; the parameter has ${dst.numel}.`,
            );
          native().copy_(dst.handle, src.handle);
        }
      }),
    );
    this.stepCount = state.meta.step;
    if (options.restoreSettings) {
      this.lr = state.meta.lr;
      this.betas = [...state.meta.betas];
      this.eps = state.meta.eps;
      this.weightDecay = state.meta.weightDecay;
    }
  }

  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
    this.#m = [];
    this.#v = [];
  }
}

/** AdamW: weight decay applied to the weights directly (Loshchilov and Hutter), default 0.01. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  protected override defaultWeightDecay(): number {
    return 0.01;
  }
}

/** Scales the gradients together so that their joint L2 norm is at most maxNorm; returns the norm before. */
export function clipGradNorm(params: readonly Tensor[] | Module, maxNorm: number): number {
  const list = params instanceof Module ? params.parameters() : params;
  if (!(maxNorm > 0)) throw invalid('a positive number', 'maxNorm', maxNorm);
  return native().clipGradNorm(
    list.map((p) => p.handle),
    maxNorm,
  );
}

/**
 * One optimisation step: drops old gradients, computes the loss (under bf16/fp16 autocast when asked), back-
 * propagates, updates, releases the step's tensors, and returns the loss value.
 * @example
 * const loss = trainStep(opt, () => l1Loss(model.forward(x), y), { autocast: 'bfloat16' });
 */
export function trainStep(
  opt: Adam,
  loss: () => Tensor,
  options: { autocast?: 'bfloat16' | 'float16'; device?: 'cpu' | 'cuda' } = {},
): number {
  return tidy(() => {
    opt.zeroGrad();
    const l = options.autocast ? autocast(options.device ?? 'cpu', options.autocast, loss) : loss();
    l.backward();
    opt.step();
    return l.item();
  });
}
