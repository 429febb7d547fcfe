// Optimizer arithmetic over many tensors in one call, so that a step costs one crossing into native code.
// The state tensors are owned by TypeScript (src/engine/optim.ts), which also saves them.
#include "common.h"

#include <cmath>

namespace facegan {
namespace {

// One Adam update of the parameters that have a gradient, as multi-tensor (_foreach) ops: a few kernel launches for
// all of them instead of eight per parameter, which is what bounds a small model's step on a GPU (PyTorch's Adam
// does the same on CUDA by default). The same arithmetic, in the same order, as the per-parameter loop below.
void AdamForeach(std::vector<at::Tensor> p, std::vector<at::Tensor> g, std::vector<at::Tensor> m,
                 std::vector<at::Tensor> v, double lr, double b1, double b2, double eps, double wd, bool decoupled,
                 double stepSize, double bc2Sqrt) {
  if (wd != 0) {
    if (decoupled) at::_foreach_mul_(p, 1 - lr * wd);
    else g = at::_foreach_add(g, p, wd);
  }
  at::_foreach_mul_(m, b1);
  at::_foreach_add_(m, g, 1 - b1);
  at::_foreach_mul_(v, b2);
  at::_foreach_addcmul_(v, g, g, 1 - b2);
  auto denom = at::_foreach_sqrt(v);
  at::_foreach_div_(denom, bc2Sqrt);
  at::_foreach_add_(denom, eps);
  at::_foreach_addcdiv_(p, m, denom, -stepSize);
}

// adamStep(params, expAvg, expAvgSq, step, lr, beta1, beta2, eps, weightDecay, decoupled, foreach)
// PyTorch's Adam (decoupled=false) and AdamW (decoupled=true). Parameters without a gradient are skipped, as in
// PyTorch. foreach: all parameters together (AdamForeach), else one at a time (TypeScript chooses).
Napi::Value AdamStep(const Info& info) {
  return Guard(info, [&] {
    auto params = TL(info, 0), m = TL(info, 1), v = TL(info, 2);
    double step = D(info, 3), lr = D(info, 4), b1 = D(info, 5), b2 = D(info, 6), eps = D(info, 7);
    double wd = D(info, 8);
    bool decoupled = B(info, 9), foreach = B(info, 10);
    if (m.size() != params.size() || v.size() != params.size())
      throw std::invalid_argument("adamStep: state lists differ in length from the parameter list");
    at::NoGradGuard noGrad;
    double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
    double stepSize = lr / bc1, bc2Sqrt = std::sqrt(bc2);
    std::vector<at::Tensor> ps, gs, ms, vs;
    for (size_t k = 0; k < params.size(); k++) {
      at::Tensor g = params[k].grad();
      if (!g.defined()) continue;
      ps.push_back(params[k]), gs.push_back(g), ms.push_back(m[k]), vs.push_back(v[k]);
    }
    if (foreach && !ps.empty()) {
      AdamForeach(ps, gs, ms, vs, lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt);
      return info.Env().Undefined();
    }
    for (size_t k = 0; k < ps.size(); k++) {
      auto &p = ps[k], &g = gs[k];
      if (wd != 0) {
        if (decoupled) p.mul_(1 - lr * wd);
        else g = g.add(p, wd);
      }
      ms[k].mul_(b1).add_(g, 1 - b1);
      vs[k].mul_(b2).addcmul_(g, g, 1 - b2);
      auto denom = (vs[k].sqrt() / bc2Sqrt).add_(eps);
      p.addcdiv_(ms[k], denom, -stepSize);
    }
    return info.Env().Undefined();
  });
}

// clipGradNorm(params, maxNorm): scales all gradients together so that their joint L2 norm is at most maxNorm;
// returns the norm before clipping. The norms stay on the gradients' device until their total, so that a GPU waits
// once, not once per parameter.
Napi::Value ClipGradNorm(const Info& info) {
  return Guard(info, [&] {
    auto params = TL(info, 0);
    double maxNorm = D(info, 1);
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> norms;
    for (auto& p : params) {
      if (!p.grad().defined()) continue;
      auto device = norms.empty() ? p.grad().device() : norms.front().device();
      norms.push_back(p.grad().norm(2).to(device, at::kFloat));
    }
    if (norms.empty()) return Napi::Number::New(info.Env(), 0).As<Napi::Value>();
    double total = at::stack(norms).norm(2).item<double>();
    double coef = maxNorm / (total + 1e-6);
    if (coef < 1)
      for (auto& p : params)
        if (p.grad().defined()) p.mutable_grad().mul_(coef);
    return Napi::Number::New(info.Env(), total).As<Napi::Value>();
  });
}

}  // namespace

void InitOptim(Napi::Env env, Napi::Object exports) {
  exports["adamStep"] = Napi::Function::New(env, AdamStep, "adamStep");
  exports["clipGradNorm"] = Napi::Function::New(env, ClipGradNorm, "clipGradNorm");
}

}  // namespace facegan
