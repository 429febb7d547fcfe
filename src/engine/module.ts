/**
 * The Module base: a model is a tree of modules whose tensors are found by walking their properties, named by
 * path as in PyTorch (`encoder.0.weight`), so that state dicts interoperate with PyTorch's safetensors files.
 * @example
 * class Net extends Module {
 *   fc = new Linear(4, 2);
 *   forward(x: Tensor) { return this.fc.forward(x).relu(); }
 * }
 */
import { Tensor } from './tensor.js';
import { keep } from './scope.js';
import { noGrad } from './autograd.js';
import { native } from './native.js';
import { type Device, type DType, isFloating } from './dtype.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';

/** Something with a one-tensor forward: what Sequential chains. */
export interface Layer {
  forward(x: Tensor): Tensor;
}

type Visit = (owner: Record<string, unknown>, key: string, value: Tensor, name: string) => void;

export abstract class Module {
  /** Training mode (dropout, batch-norm statistics); switch with train()/eval(). */
  training = true;

  /** Registers a learnable tensor: it requires grad and survives tidy(). */
  protected parameter(t: Tensor): Tensor {
    t.role = 'parameter';
    keep(t).requiresGrad_(true);
    return t;
  }

  /** Registers a saved, non-learned tensor (e.g. running statistics). */
  protected buffer(t: Tensor): Tensor {
    t.role = 'buffer';
    return keep(t);
  }

  /** Direct sub-modules, by property name (array elements as `name.i`). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  #walk(visit: Visit, prefix = ''): void {
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.role)
        visit(this as unknown as Record<string, unknown>, key, value, prefix + key);
    }
    for (const [name, child] of this.namedChildren()) child.#walk(visit, `${prefix}${name}.`);
  }

  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.#walk((_o, _k, t, name) => t.role === 'parameter' && out.push([name, t]));
    return out;
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.#walk((_o, _k, t, name) => t.role === 'buffer' && out.push([name, t]));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /** Parameters and buffers by name; the tensors themselves, not copies. */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.#walk((_o, _k, t, name) => out.set(name, t));
    return out;
  }

  /**
   * Copies values into this module's tensors (casting dtype and device as needed). With strict (the default),
   * names must match exactly; shapes always must.
   */
  loadStateDict(state: Map<string, Tensor>, options: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    const mismatched = [...own]
      .filter(([k, t]) => state.has(k) && !sameShape(t.shape, state.get(k)!.shape))
      .map(([k, t]) => `${k}: model [${t.shape}] vs saved [${state.get(k)!.shape}]`);
    const problems = [
      ...(mismatched.length ? [`shapes differ: ${mismatched.slice(0, 5).join('; ')}`] : []),
      ...(options.strict !== false && missing.length
        ? [`missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`]
        : []),
      ...(options.strict !== false && unexpected.length
        ? [`unexpected: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''}`]
        : []),
    ];
    if (problems.length) {
      throw new FaceganError(
        ErrorCodes.BAD_MODEL,
        `The saved weights do not fit this ${this.constructor.name} (${problems.join(' | ')}). ` +
          'Was it saved from another model type or size?',
      );
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const src = state.get(k);
        if (src) native().copy_(t.handle, src.handle);
      }
    });
  }

  train(on = true): this {
    this.training = on;
    for (const [, child] of this.namedChildren()) child.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Moves every parameter and buffer, casting the floating ones to `dtype`; do this before making the optimizer. */
  to(device: Device, dtype?: DType): this {
    this.#walk((owner, key, t) => {
      const moved = keep(noGrad(() => t.to({ device, dtype: dtype && isFloating(t.dtype) ? dtype : t.dtype })));
      moved.role = t.role;
      if (t.role === 'parameter') moved.requiresGrad_(true);
      owner[key] = moved;
      t.dispose();
    });
    return this;
  }

  /** Releases every parameter and buffer. */
  dispose(): void {
    this.#walk((_o, _k, t) => t.dispose());
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
