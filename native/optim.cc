// Optimizer arithmetic over many tensors in one call, so that a step costs one crossing into native code.
// The state tensors are owned by TypeScript (src/engine/optim.ts), which also saves them.
#include "common.h"

#include <cmath>

namespace facegan {
namespace {

// adamStep(params, expAvg, expAvgSq, step, lr, beta1, beta2, eps, weightDecay, decoupled)
// PyTorch's Adam (decoupled=false) and AdamW (decoupled=true), one parameter at a time. Parameters without a
// gradient are skipped, as in PyTorch.
Napi::Value AdamStep(const Info& info) {
  return Guard(info, [&] {
    auto params = TL(info, 0), m = TL(info, 1), v = TL(info, 2);
    double step = D(info, 3), lr = D(info, 4), b1 = D(info, 5), b2 = D(info, 6), eps = D(info, 7);
    double wd = D(info, 8);
    bool decoupled = B(info, 9);
    if (m.size() != params.size() || v.size() != params.size())
      throw std::invalid_argument("adamStep: state lists differ in length from the parameter list");
    at::NoGradGuard noGrad;
    double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
    double stepSize = lr / bc1, bc2Sqrt = std::sqrt(bc2);
    for (size_t k = 0; k < params.size(); k++) {
      auto& p = params[k];
      at::Tensor g = p.grad();
      if (!g.defined()) continue;
      if (wd != 0) {
        if (decoupled) p.mul_(1 - lr * wd);
        else g = g.add(p, wd);
      }
      m[k].mul_(b1).add_(g, 1 - b1);
      v[k].mul_(b2).addcmul_(g, g, 1 - b2);
      auto denom = (v[k].sqrt() / bc2Sqrt).add_(eps);
      p.addcdiv_(m[k], denom, -stepSize);
    }
    return info.Env().Undefined();
  });
}

// clipGradNorm(params, maxNorm): scales all gradients together so that their joint L2 norm is at most maxNorm;
// returns the norm before clipping.
Napi::Value ClipGradNorm(const Info& info) {
  return Guard(info, [&] {
    auto params = TL(info, 0);
    double maxNorm = D(info, 1);
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> norms;
    for (auto& p : params)
      if (p.grad().defined()) norms.push_back(p.grad().norm(2).to(at::kFloat).cpu());
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
