// Autograd: requires_grad, backward, .grad, grad mode, and torch.autograd.grad for penalties and checks.
#include "common.h"

#include <torch/csrc/autograd/autograd.h>

namespace facegan {
namespace {

Napi::Value SetRequiresGrad(const Info& info) {
  return Guard(info, [&] {
    T(info, 0).set_requires_grad(B(info, 1));
    return info.Env().Undefined();
  });
}

// backward(t, gradOrNull, retainGraph)
Napi::Value Backward(const Info& info) {
  return Guard(info, [&] {
    auto grad = OT(info, 1);
    T(info, 0).backward(grad.has_value() ? *grad : at::Tensor(), B(info, 2));
    return info.Env().Undefined();
  });
}

Napi::Value Grad(const Info& info) {
  return Guard(info, [&] { return Wrap(info.Env(), T(info, 0).grad()); });
}

// zeroGrad(params): drops the gradients (set to none), as PyTorch's zero_grad(set_to_none=True).
Napi::Value ZeroGrad(const Info& info) {
  return Guard(info, [&] {
    for (auto& t : TL(info, 0)) t.mutable_grad().reset();
    return info.Env().Undefined();
  });
}

Napi::Value SetGradEnabled(const Info& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(B(info, 0));
  return Napi::Boolean::New(info.Env(), prev);
}

Napi::Value IsGradEnabled(const Info& info) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }

// autogradGrad(outputs, inputs, gradOutputsOrNull, createGraph): gradients of outputs w.r.t. inputs; an input
// that does not influence the outputs gets null.
Napi::Value AutogradGrad(const Info& info) {
  return Guard(info, [&] {
    auto outputs = TL(info, 0);
    auto inputs = TL(info, 1);
    std::vector<at::Tensor> gradOutputs;
    if (!info[2].IsNull() && !info[2].IsUndefined()) gradOutputs = TL(info, 2);
    bool create = B(info, 3);
    auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, /*retain_graph=*/create, create,
                                       /*allow_unused=*/true);
    auto arr = Napi::Array::New(info.Env(), grads.size());
    for (size_t k = 0; k < grads.size(); k++) arr[uint32_t(k)] = Wrap(info.Env(), grads[k]);
    return arr.As<Napi::Value>();
  });
}

}  // namespace

void InitAutograd(Napi::Env env, Napi::Object exports) {
  exports["setRequiresGrad"] = Napi::Function::New(env, SetRequiresGrad, "setRequiresGrad");
  exports["backward"] = Napi::Function::New(env, Backward, "backward");
  exports["grad"] = Napi::Function::New(env, Grad, "grad");
  exports["zeroGrad"] = Napi::Function::New(env, ZeroGrad, "zeroGrad");
  exports["setGradEnabled"] = Napi::Function::New(env, SetGradEnabled, "setGradEnabled");
  exports["isGradEnabled"] = Napi::Function::New(env, IsGradEnabled, "isGradEnabled");
  exports["autogradGrad"] = Napi::Function::New(env, AutogradGrad, "autogradGrad");
}

}  // namespace facegan
