// Optimizer arithmetic over many tensors in one call, so that a step costs one crossing into native code.
// The state tensors are owned by TypeScript (src/engine/optim.ts), which also saves them.
#include "common.h"

#include <ATen/TensorIterator.h>

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

// Whether one parameter's update can run as FusedAdam: the parameter, its gradient and both moments are contiguous
// CPU tensors of one floating type.
bool Fusable(const at::Tensor& p, const at::Tensor& g, const at::Tensor& m, const at::Tensor& v) {
  auto type = p.scalar_type();
  if (type != at::kFloat && type != at::kDouble) return false;
  for (auto* t : {&p, &g, &m, &v})
    if (!t->device().is_cpu() || t->scalar_type() != type || !t->is_contiguous() || t->numel() != p.numel())
      return false;
  return true;
}

// The contiguous run of FusedAdam: plain arrays, so that the compiler vectorises it.
template <typename T>
struct AdamRun {
  T beta1, beta2, a1, a2, eps, decay, l2, bc, step;
  bool scale, addL2;
  void operator()(T* __restrict__ p, T* __restrict__ m, T* __restrict__ v, const T* __restrict__ g,
                  int64_t n) const {
    for (int64_t i = 0; i < n; i++) {
      T x = scale ? p[i] * decay : p[i];
      T d = addL2 ? g[i] + l2 * x : g[i];
      T mi = m[i] * beta1 + a1 * d;
      T vi = v[i] * beta2 + a2 * d * d;
      m[i] = mi, v[i] = vi;
      p[i] = x + step * (mi / (std::sqrt(vi) / bc + eps));
    }
  }
};

// One Adam update of one parameter in a single pass over its values: each value of the parameter, its gradient and
// moments is read once and written once, where the eight tensor ops of the loop below read and write them up to
// eight times and allocate two temporaries (the step's cost on a CPU is memory traffic: 82 M parameters move about
// 2.3 GB in one pass). The arithmetic is the loop's, in the parameter's type, in the same order. A TensorIterator
// splits the values over libtorch's own threads (its for_each runs inside libtorch, which was built with OpenMP;
// at::parallel_for in this file would run on one thread, as the addon is not).
template <typename T>
void FusedAdam(at::Tensor& p, const at::Tensor& g, at::Tensor& m, at::Tensor& v, double lr, double b1, double b2,
               double eps, double wd, bool decoupled, double stepSize, double bc2Sqrt) {
  bool scale = decoupled && wd != 0, addL2 = !decoupled && wd != 0;
  AdamRun<T> run{T(b1), T(b2), T(1 - b1), T(1 - b2), T(eps), T(1 - lr * wd), T(wd), T(bc2Sqrt), T(-stepSize),
                 scale, addL2};
  // As an in-place op would, and before writing (a tensor that refuses it is left as it was): a graph that saved one of
  // these tensors now fails its version check, not silently.
  for (auto* t : {&p, &m, &v}) t->unsafeGetTensorImpl()->bump_version();
  auto iter = at::TensorIteratorConfig()
                  .set_check_mem_overlap(false)
                  .resize_outputs(false)
                  .add_output(p)
                  .add_output(m)
                  .add_output(v)
                  .add_input(g)
                  .build();
  iter.for_each(
      [&](char** data, const int64_t* strides, int64_t n, int64_t outer) {
        for (int64_t j = 0; j < outer; j++) {
          T* ptr[4];
          for (int k = 0; k < 4; k++) ptr[k] = reinterpret_cast<T*>(data[k] + j * strides[4 + k]);
          bool dense = true;
          for (int k = 0; k < 4; k++) dense = dense && strides[k] == sizeof(T);
          if (dense) {
            run(ptr[0], ptr[1], ptr[2], ptr[3], n);
            continue;
          }
          for (int64_t i = 0; i < n; i++) {
            auto el = [&](int k) { return reinterpret_cast<T*>(reinterpret_cast<char*>(ptr[k]) + i * strides[k]); };
            run(el(0), el(1), el(2), el(3), 1);
          }
        }
      },
      1 << 15);
}

// adamStep(params, expAvg, expAvgSq, step, lr, beta1, beta2, eps, weightDecay, decoupled, kernel)
// PyTorch's Adam (decoupled=false) and AdamW (decoupled=true). Parameters without a gradient are skipped, as in
// PyTorch. kernel (TypeScript chooses): "foreach", all parameters together (AdamForeach); "fused", FusedAdam for each
// parameter that allows it; "loop" (and the parameters FusedAdam cannot take), one tensor op at a time.
Napi::Value AdamStep(const Info& info) {
  return Guard(info, [&] {
    auto params = TL(info, 0), m = TL(info, 1), v = TL(info, 2);
    double step = D(info, 3), lr = D(info, 4), b1 = D(info, 5), b2 = D(info, 6), eps = D(info, 7);
    double wd = D(info, 8);
    bool decoupled = B(info, 9);
    std::string kernel = S(info, 10);
    if (kernel != "foreach" && kernel != "fused" && kernel != "loop")
      throw std::invalid_argument("adamStep: kernel must be foreach, fused or loop, not " + kernel);
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
    if (kernel == "foreach" && !ps.empty()) {
      AdamForeach(ps, gs, ms, vs, lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt);
      return info.Env().Undefined();
    }
    for (size_t k = 0; k < ps.size(); k++) {
      auto &p = ps[k], &g = gs[k];
      if (kernel == "fused" && Fusable(p, g, ms[k], vs[k])) {
        if (p.scalar_type() == at::kFloat)
          FusedAdam<float>(p, g, ms[k], vs[k], lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt);
        else
          FusedAdam<double>(p, g, ms[k], vs[k], lr, b1, b2, eps, wd, decoupled, stepSize, bc2Sqrt);
        continue;
      }
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
