/** Autograd helpers beyond Tensor.backward(): grad mode scopes and gradients of outputs w.r.t. inputs. */
import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = native().setGradEnabled(on);
  try {
    return fn();
  } finally {
    native().setGradEnabled(prev);
  }
}

/** Runs fn with gradient recording off (inference, optimizer arithmetic, metrics). */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);

/** Runs fn with gradient recording on, even inside noGrad. */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);

export const isGradEnabled = (): boolean => native().isGradEnabled();

/**
 * Gradients of `outputs` with respect to `inputs` (torch.autograd.grad). With createGraph the result is itself
 * differentiable (for gradient penalties). An input that does not affect the outputs gets null.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: { gradOutputs?: readonly Tensor[]; createGraph?: boolean } = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  const res = native().autogradGrad(
    outs.map((t) => t.handle),
    inputs.map((t) => t.handle),
    options.gradOutputs?.map((t) => t.handle),
    options.createGraph ?? false,
  );
  return res.map((hd) => (hd === null ? null : wrap(hd)));
}

/** Drops the gradients of these tensors (PyTorch's zero_grad(set_to_none=True)). */
export function zeroGrad(params: readonly Tensor[]): void {
  native().zeroGrad(params.map((p) => p.handle));
}
