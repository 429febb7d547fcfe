// Tensor operations, made from one table. Each row reads its JavaScript arguments in order and calls libtorch;
// the TypeScript layer (src/engine) checks shapes and dtypes first and gives the user-facing messages.
#include "common.h"

namespace facegan {
namespace {

using Fn = at::Tensor (*)(const Info&);
using VoidFn = void (*)(const Info&);
struct Op {
  const char* name;
  Fn fn;
};
struct InPlaceOp {
  const char* name;
  VoidFn fn;
};

bool IsNum(const Info& a, size_t i) { return a[i].IsNumber() || a[i].IsBoolean(); }
c10::optional<at::Scalar> OSc(const Info& a, size_t i) {
  if (a.Length() <= i || a[i].IsNull() || a[i].IsUndefined()) return c10::nullopt;
  return Sc(a, i);
}
// A tensor, or a number made into a 0-d tensor of `like`'s dtype and device.
at::Tensor TorS(const Info& a, size_t i, const at::Tensor& like) {
  if (IsNum(a, i)) return at::scalar_tensor(Sc(a, i), like.options().requires_grad(false));
  return T(a, i);
}

// where(cond, x, y) with x or y possibly a number: numbers take the other operand's dtype and device.
at::Tensor Where(const Info& a) {
  if (IsNum(a, 1) && IsNum(a, 2)) return at::where(T(a, 0), Sc(a, 1), Sc(a, 2));
  const at::Tensor& like = IsNum(a, 1) ? T(a, 2) : T(a, 1);
  return at::where(T(a, 0), TorS(a, 1, like), TorS(a, 2, like));
}

#define OP(name, body) \
  Op { name, [](const Info& a) -> at::Tensor { return body; } }
// A binary op whose second operand may be a tensor or a number.
#define BIN(name, fn) OP(name, IsNum(a, 1) ? at::fn(T(a, 0), Sc(a, 1)) : at::fn(T(a, 0), T(a, 1)))
#define UNARY(name, fn) OP(name, at::fn(T(a, 0)))
#define IOP(name, body) \
  InPlaceOp { name, [](const Info& a) { body; } }

const Op kOps[] = {
    // arithmetic and comparison, broadcasting
    BIN("add", add), BIN("sub", sub), BIN("mul", mul), BIN("div", div), BIN("pow", pow),
    BIN("remainder", remainder), BIN("eq", eq), BIN("ne", ne), BIN("lt", lt), BIN("le", le), BIN("gt", gt),
    BIN("ge", ge), OP("maximum", at::maximum(T(a, 0), TorS(a, 1, T(a, 0)))),
    OP("minimum", at::minimum(T(a, 0), TorS(a, 1, T(a, 0)))), OP("rpow", at::pow(Sc(a, 1), T(a, 0))),
    OP("logicalAnd", at::logical_and(T(a, 0), T(a, 1))), OP("logicalOr", at::logical_or(T(a, 0), T(a, 1))),
    OP("where", Where(a)),
    OP("clamp", at::clamp(T(a, 0), OSc(a, 1), OSc(a, 2))), OP("lerp", at::lerp(T(a, 0), T(a, 1), Sc(a, 2))),
    OP("matmul", at::matmul(T(a, 0), T(a, 1))), OP("bmm", at::bmm(T(a, 0), T(a, 1))),
    OP("linear", at::linear(T(a, 0), T(a, 1), OT(a, 2))),
    // elementwise
    UNARY("neg", neg), UNARY("abs", abs), UNARY("exp", exp), UNARY("log", log), UNARY("sqrt", sqrt),
    UNARY("rsqrt", rsqrt), UNARY("sin", sin), UNARY("cos", cos), UNARY("sign", sign), UNARY("floor", floor),
    UNARY("ceil", ceil), UNARY("round", round), UNARY("square", square), UNARY("reciprocal", reciprocal),
    UNARY("logicalNot", logical_not), UNARY("isnan", isnan), UNARY("isfinite", isfinite),
    // activations
    UNARY("relu", relu), UNARY("sigmoid", sigmoid), UNARY("tanh", tanh),
    OP("leakyRelu", at::leaky_relu(T(a, 0), Sc(a, 1))), OP("gelu", at::gelu(T(a, 0), S(a, 1))),
    OP("softplus", at::softplus(T(a, 0), Sc(a, 1), Sc(a, 2))), OP("softmax", at::softmax(T(a, 0), I(a, 1))),
    OP("logSoftmax", at::log_softmax(T(a, 0), I(a, 1))),
    // reductions: (t, dims, keepdim); an empty dims list reduces everything
    OP("sum", IL(a, 1).empty() ? T(a, 0).sum() : T(a, 0).sum(IL(a, 1), B(a, 2))),
    OP("mean", IL(a, 1).empty() ? T(a, 0).mean() : T(a, 0).mean(IL(a, 1), B(a, 2))),
    OP("amax", T(a, 0).amax(IL(a, 1), B(a, 2))), OP("amin", T(a, 0).amin(IL(a, 1), B(a, 2))),
    OP("argmax", T(a, 0).argmax(I(a, 1), B(a, 2))), OP("argmin", T(a, 0).argmin(I(a, 1), B(a, 2))),
    // an empty dim list means all dims: the full-reduction overloads (1.13's backward mishandles an empty list)
    OP("var", IL(a, 1).empty() ? T(a, 0).var(B(a, 3)) : T(a, 0).var(at::OptionalIntArrayRef(IL(a, 1)), B(a, 3), B(a, 2))),
    OP("std", IL(a, 1).empty() ? T(a, 0).std(B(a, 3)) : T(a, 0).std(at::OptionalIntArrayRef(IL(a, 1)), B(a, 3), B(a, 2))),
    OP("norm", IL(a, 2).empty() ? T(a, 0).norm(Sc(a, 1)) : T(a, 0).norm(Sc(a, 1), IL(a, 2), B(a, 3))),
    OP("logsumexp", T(a, 0).logsumexp(IL(a, 1), B(a, 2))), OP("cumsum", T(a, 0).cumsum(I(a, 1))),
    // shape and indexing
    OP("reshape", T(a, 0).reshape(IL(a, 1))), OP("view", T(a, 0).view(IL(a, 1))),
    OP("permute", T(a, 0).permute(IL(a, 1))), OP("transpose", T(a, 0).transpose(I(a, 1), I(a, 2))),
    OP("squeeze", T(a, 0).squeeze(I(a, 1))), OP("unsqueeze", T(a, 0).unsqueeze(I(a, 1))),
    OP("flatten", T(a, 0).flatten(I(a, 1), I(a, 2))), OP("expand", T(a, 0).expand(IL(a, 1))),
    OP("repeat", T(a, 0).repeat(IL(a, 1))), OP("flip", T(a, 0).flip(IL(a, 1))),
    OP("cat", at::cat(TL(a, 0), I(a, 1))), OP("stack", at::stack(TL(a, 0), I(a, 1))),
    OP("slice", T(a, 0).slice(I(a, 1), I(a, 2), I(a, 3), I(a, 4))), OP("select", T(a, 0).select(I(a, 1), I(a, 2))),
    OP("indexSelect", T(a, 0).index_select(I(a, 1), T(a, 2))), OP("gather", T(a, 0).gather(I(a, 1), T(a, 2))),
    OP("maskedFill", T(a, 0).masked_fill(T(a, 1), Sc(a, 2))),
    OP("contiguous", T(a, 0).contiguous(B(a, 1) ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous)),
    OP("clone", T(a, 0).clone()), OP("detach", T(a, 0).detach()),
    OP("to", T(a, 0).to(c10::Device(S(a, 2)), ParseDtype(S(a, 1)))),
    // neural network layers
    OP("conv2d", at::conv2d(T(a, 0), T(a, 1), OT(a, 2), IL(a, 3), IL(a, 4), IL(a, 5), I(a, 6))),
    // im2col (torch's unfold): [N, C, H, W] -> [N, C*kH*kW, L]; kernel, dilation, padding, stride
    OP("im2col", at::im2col(T(a, 0), IL(a, 1), IL(a, 2), IL(a, 3), IL(a, 4))),
    OP("convTranspose2d", at::conv_transpose2d(T(a, 0), T(a, 1), OT(a, 2), IL(a, 3), IL(a, 4), IL(a, 5), I(a, 6), IL(a, 7))),
    OP("pixelShuffle", at::pixel_shuffle(T(a, 0), I(a, 1))), OP("pixelUnshuffle", at::pixel_unshuffle(T(a, 0), I(a, 1))),
    OP("upsampleNearest2d", at::upsample_nearest2d(T(a, 0), IL(a, 1))),
    OP("upsampleBilinear2d", at::upsample_bilinear2d(T(a, 0), IL(a, 1), B(a, 2))),
    OP("constantPad", at::constant_pad_nd(T(a, 0), IL(a, 1), Sc(a, 2))),
    OP("reflectionPad2d", at::reflection_pad2d(T(a, 0), IL(a, 1))),
    OP("replicationPad2d", at::replication_pad2d(T(a, 0), IL(a, 1))),
    OP("gridSample", at::grid_sampler(T(a, 0), T(a, 1), I(a, 2), I(a, 3), B(a, 4))),
    OP("affineGrid", at::affine_grid_generator(T(a, 0), IL(a, 1), B(a, 2))),
    OP("avgPool2d", at::avg_pool2d(T(a, 0), IL(a, 1), IL(a, 2), IL(a, 3))),
    OP("maxPool2d", at::max_pool2d(T(a, 0), IL(a, 1), IL(a, 2), IL(a, 3))),
    OP("adaptiveAvgPool2d", at::adaptive_avg_pool2d(T(a, 0), IL(a, 1))),
    OP("batchNorm", at::batch_norm(T(a, 0), OT(a, 1), OT(a, 2), OT(a, 3), OT(a, 4), B(a, 5), D(a, 6), D(a, 7), true)),
    OP("instanceNorm", at::instance_norm(T(a, 0), OT(a, 1), OT(a, 2), OT(a, 3), OT(a, 4), B(a, 5), D(a, 6), D(a, 7), true)),
    OP("layerNorm", at::layer_norm(T(a, 0), IL(a, 1), OT(a, 2), OT(a, 3), D(a, 4))),
    OP("groupNorm", at::group_norm(T(a, 0), I(a, 1), OT(a, 2), OT(a, 3), D(a, 4))),
    OP("dropout", at::dropout(T(a, 0), D(a, 1), B(a, 2))),
    // losses: reduction 0 none, 1 mean, 2 sum (at::Reduction)
    OP("l1Loss", at::l1_loss(T(a, 0), T(a, 1), I(a, 2))), OP("mseLoss", at::mse_loss(T(a, 0), T(a, 1), I(a, 2))),
    OP("bceWithLogits", at::binary_cross_entropy_with_logits(T(a, 0), T(a, 1), OT(a, 2), OT(a, 3), I(a, 4))),
    // factories: (..., dtype, device)
    OP("zeros", at::zeros(IL(a, 0), Options(a, 1, 2))), OP("ones", at::ones(IL(a, 0), Options(a, 1, 2))),
    OP("full", at::full(IL(a, 0), Sc(a, 1), Options(a, 2, 3))), OP("empty", at::empty(IL(a, 0), Options(a, 1, 2))),
    OP("arange", at::arange(Sc(a, 0), Sc(a, 1), Sc(a, 2), Options(a, 3, 4))),
    OP("linspace", at::linspace(Sc(a, 0), Sc(a, 1), I(a, 2), Options(a, 3, 4))),
    OP("eye", at::eye(I(a, 0), Options(a, 1, 2))), OP("rand", at::rand(IL(a, 0), Options(a, 1, 2))),
    OP("randn", at::randn(IL(a, 0), Options(a, 1, 2))),
    OP("randint", at::randint(I(a, 0), I(a, 1), IL(a, 2), Options(a, 3, 4))),
    OP("normal", at::normal(D(a, 0), D(a, 1), IL(a, 2), c10::nullopt, Options(a, 3, 4))),
};

const InPlaceOp kInPlaceOps[] = {
    IOP("add_", IsNum(a, 1) ? T(a, 0).add_(Sc(a, 1)) : T(a, 0).add_(T(a, 1), Sc(a, 2))),
    IOP("mul_", IsNum(a, 1) ? T(a, 0).mul_(Sc(a, 1)) : T(a, 0).mul_(T(a, 1))),
    IOP("copy_", T(a, 0).copy_(T(a, 1))), IOP("zero_", T(a, 0).zero_()), IOP("fill_", T(a, 0).fill_(Sc(a, 1))),
    IOP("clamp_", T(a, 0).clamp_(OSc(a, 1), OSc(a, 2))), IOP("uniform_", T(a, 0).uniform_(D(a, 1), D(a, 2))),
    IOP("normal_", T(a, 0).normal_(D(a, 1), D(a, 2))), IOP("lerp_", T(a, 0).lerp_(T(a, 1), Sc(a, 2))),
};

Napi::Value CallOp(const Info& info) {
  auto* op = static_cast<const Op*>(info.Data());
  return Guard(info, [&] { return Wrap(info.Env(), op->fn(info)); });
}

Napi::Value CallInPlace(const Info& info) {
  auto* op = static_cast<const InPlaceOp*>(info.Data());
  return Guard(info, [&] {
    op->fn(info);
    return info.Env().Undefined();
  });
}

}  // namespace

void InitOps(Napi::Env env, Napi::Object exports) {
  for (const auto& op : kOps)
    exports[op.name] = Napi::Function::New(env, CallOp, op.name, const_cast<Op*>(&op));
  for (const auto& op : kInPlaceOps)
    exports[op.name] = Napi::Function::New(env, CallInPlace, op.name, const_cast<InPlaceOp*>(&op));
}

}  // namespace facegan
