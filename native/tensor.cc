// Tensor basics: the handle, argument readers, creation from and copy to bytes, metadata, dispose.
#include "common.h"

#include <cstring>

namespace facegan {

std::atomic<int64_t> g_live{0};

// Tags the externals we create so that a foreign object passed as a tensor is refused, never dereferenced.
static const napi_type_tag kTensorTag = {0x6661636567616e31ULL, 0x74656e736f720001ULL};

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  auto* holder = new Holder{std::move(t)};
  g_live.fetch_add(1);
  auto ext = Napi::External<Holder>::New(env, holder, [](Napi::Env, Holder* h) {
    if (h->t.defined()) g_live.fetch_sub(1);
    delete h;
  });
  ext.TypeTag(&kTensorTag);
  return ext;
}

bool IsTensor(const Napi::Value& v) {
  return v.IsExternal() && v.As<Napi::Object>().CheckTypeTag(&kTensorTag);
}

at::Tensor& Unwrap(const Napi::Value& v, const char* what) {
  if (!IsTensor(v)) throw Napi::TypeError::New(v.Env(), std::string("expected a tensor handle for ") + what);
  auto* h = v.As<Napi::External<Holder>>().Data();
  if (!h->t.defined()) throw Napi::Error::New(v.Env(), std::string("tensor used after dispose (") + what + ")");
  return h->t;
}

static std::string ArgName(size_t i) { return "argument " + std::to_string(i); }

at::Tensor& T(const Info& info, size_t i) { return Unwrap(info[i], ArgName(i).c_str()); }

c10::optional<at::Tensor> OT(const Info& info, size_t i) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return c10::nullopt;
  return T(info, i);
}

double D(const Info& info, size_t i) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number for " + ArgName(i));
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t I(const Info& info, size_t i) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected an integer for " + ArgName(i));
  return info[i].As<Napi::Number>().Int64Value();
}

bool B(const Info& info, size_t i) {
  if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), "expected a boolean for " + ArgName(i));
  return info[i].As<Napi::Boolean>().Value();
}

std::string S(const Info& info, size_t i) {
  if (!info[i].IsString()) throw Napi::TypeError::New(info.Env(), "expected a string for " + ArgName(i));
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> IL(const Info& info, size_t i) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), "expected an array of integers for " + ArgName(i));
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr[k];
    if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), "expected an array of integers for " + ArgName(i));
    out[k] = v.As<Napi::Number>().Int64Value();
  }
  return out;
}

std::vector<at::Tensor> TL(const Info& info, size_t i) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), "expected an array of tensors for " + ArgName(i));
  auto arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) out.push_back(Unwrap(arr[k], ArgName(i).c_str()));
  return out;
}

at::Scalar Sc(const Info& info, size_t i) {
  if (info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  return at::Scalar(D(info, i));
}

static const struct {
  const char* name;
  at::ScalarType type;
} kDtypes[] = {
    {"float32", at::kFloat}, {"float16", at::kHalf}, {"bfloat16", at::kBFloat16}, {"float64", at::kDouble},
    {"int64", at::kLong},    {"int32", at::kInt},    {"uint8", at::kByte},        {"bool", at::kBool},
};

at::ScalarType ParseDtype(const std::string& name) {
  for (auto& d : kDtypes)
    if (name == d.name) return d.type;
  throw std::invalid_argument("unknown dtype '" + name + "'");
}

const char* DtypeName(at::ScalarType t) {
  for (auto& d : kDtypes)
    if (t == d.type) return d.name;
  return "unsupported";
}

at::TensorOptions Options(const Info& info, size_t dtypeIndex, size_t deviceIndex) {
  return at::TensorOptions().dtype(ParseDtype(S(info, dtypeIndex))).device(c10::Device(S(info, deviceIndex)));
}

// fromBytes(bytes: Uint8Array, dtype, shape, device): a new tensor holding a copy of the bytes.
static Napi::Value FromBytes(const Info& info) {
  return Guard(info, [&] {
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "expected a typed array of bytes");
    auto arr = info[0].As<Napi::TypedArray>();
    auto dtype = ParseDtype(S(info, 1));
    auto shape = IL(info, 2);
    auto t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t nbytes = t.numel() * t.element_size();
    if (arr.ByteLength() != nbytes)
      throw std::invalid_argument("byte length " + std::to_string(arr.ByteLength()) + " does not match shape (" +
                                  std::to_string(nbytes) + " bytes expected)");
    auto* src = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    if (nbytes) std::memcpy(t.data_ptr(), src, nbytes);
    auto device = c10::Device(S(info, 3));
    return Wrap(info.Env(), device.is_cpu() ? t : t.to(device));
  });
}

// toBytes(t): a Buffer with the tensor's elements in row-major order (copied to the CPU first).
static Napi::Value ToBytes(const Info& info) {
  return Guard(info, [&] {
    auto t = T(info, 0).detach().to(at::kCPU).contiguous();
    size_t nbytes = t.numel() * t.element_size();
    return Napi::Buffer<uint8_t>::Copy(info.Env(), static_cast<uint8_t*>(t.data_ptr()), nbytes).As<Napi::Value>();
  });
}

// meta(t): [shape, dtype, device, requiresGrad] in one call.
static Napi::Value Meta(const Info& info) {
  return Guard(info, [&] {
    auto& t = T(info, 0);
    auto env = info.Env();
    auto shape = Napi::Array::New(env, t.dim());
    for (int64_t k = 0; k < t.dim(); k++) shape[uint32_t(k)] = Napi::Number::New(env, double(t.size(k)));
    auto out = Napi::Array::New(env, 4);
    out[0u] = shape;
    out[1u] = Napi::String::New(env, DtypeName(t.scalar_type()));
    out[2u] = Napi::String::New(env, t.device().str());
    out[3u] = Napi::Boolean::New(env, t.requires_grad());
    return out.As<Napi::Value>();
  });
}

static Napi::Value Item(const Info& info) {
  return Guard(info, [&] {
    auto& t = T(info, 0);
    if (t.numel() != 1) throw std::invalid_argument("item() needs a tensor of one element");
    auto v = t.item();
    if (v.isBoolean()) return Napi::Boolean::New(info.Env(), v.toBool()).As<Napi::Value>();
    return Napi::Number::New(info.Env(), v.toDouble()).As<Napi::Value>();
  });
}

static Napi::Value Dispose(const Info& info) {
  if (!IsTensor(info[0])) throw Napi::TypeError::New(info.Env(), "expected a tensor handle");
  auto* h = info[0].As<Napi::External<Holder>>().Data();
  if (h->t.defined()) {
    h->t.reset();
    g_live.fetch_sub(1);
  }
  return info.Env().Undefined();
}

static Napi::Value IsDisposed(const Info& info) {
  if (!IsTensor(info[0])) throw Napi::TypeError::New(info.Env(), "expected a tensor handle");
  return Napi::Boolean::New(info.Env(), !info[0].As<Napi::External<Holder>>().Data()->t.defined());
}

static Napi::Value LiveTensors(const Info& info) { return Napi::Number::New(info.Env(), double(g_live.load())); }

static Napi::Value IsContiguous(const Info& info) {
  return Guard(info, [&] {
    auto& t = T(info, 0);
    bool cl = info.Length() > 1 && B(info, 1);
    return Napi::Boolean::New(info.Env(), t.is_contiguous(cl ? at::MemoryFormat::ChannelsLast
                                                             : at::MemoryFormat::Contiguous))
        .As<Napi::Value>();
  });
}

void InitTensor(Napi::Env env, Napi::Object exports) {
  exports["fromBytes"] = Napi::Function::New(env, FromBytes, "fromBytes");
  exports["toBytes"] = Napi::Function::New(env, ToBytes, "toBytes");
  exports["meta"] = Napi::Function::New(env, Meta, "meta");
  exports["item"] = Napi::Function::New(env, Item, "item");
  exports["dispose"] = Napi::Function::New(env, Dispose, "dispose");
  exports["isDisposed"] = Napi::Function::New(env, IsDisposed, "isDisposed");
  exports["liveTensors"] = Napi::Function::New(env, LiveTensors, "liveTensors");
  exports["isContiguous"] = Napi::Function::New(env, IsContiguous, "isContiguous");
}

}  // namespace facegan
