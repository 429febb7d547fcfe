// Process-wide settings: threads, seeds, devices, autocast, version; and op counting, for debugging.
//
// libtorch is built with NDEBUG, and RecordFunction's layout and inputs() differ without it (a debug-only field and
// assertion), so this file, which reads op inputs (op-count.h), is compiled as the library was.
#ifndef NDEBUG
#define NDEBUG
#endif
#include "common.h"
#include "op-count.h"

#include <ATen/autocast_mode.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace facegan {
namespace {

Napi::Value SetNumThreads(const Info& info) {
  return Guard(info, [&] {
    at::set_num_threads(int(I(info, 0)));
    return info.Env().Undefined();
  });
}

Napi::Value NumThreads(const Info& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

Napi::Value ManualSeed(const Info& info) {
  return Guard(info, [&] {
    at::manual_seed(uint64_t(I(info, 0)));
    return info.Env().Undefined();
  });
}

Napi::Value CudaIsAvailable(const Info& info) { return Napi::Boolean::New(info.Env(), at::hasCUDA()); }

Napi::Value CudaDeviceCount(const Info& info) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}

// setAutocast(deviceType "cpu"|"cuda", enabled, dtype): mixed precision for the ops that support it. Disabling it
// (leaving the outermost region; TypeScript keeps the nesting) drops the casts of parameters cached in the region.
Napi::Value SetAutocast(const Info& info) {
  return Guard(info, [&] {
    auto device = S(info, 0);
    bool enabled = B(info, 1);
    auto dtype = ParseDtype(S(info, 2));
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    auto type = device == "cuda" ? at::kCUDA : at::kCPU;
    at::autocast::set_autocast_dtype(type, dtype);
    at::autocast::set_autocast_enabled(type, enabled);
#else
    if (device == "cuda") {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(enabled);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(enabled);
    }
#endif
    if (!enabled) at::autocast::clear_cache();
    return info.Env().Undefined();
  });
}

// trimMemory(): hands freed heap pages back to the system (glibc keeps them otherwise), so that resident memory
// reflects what is really allocated. Returns whether anything was released.
Napi::Value TrimMemory(const Info& info) {
#ifdef __GLIBC__
  return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// Flush denormal floats to zero (FTZ/DAZ) on this thread and the threads it starts later; false where unsupported.
Napi::Value SetFlushDenormal(const Info& info) {
  return Guard(info, [&] { return Napi::Boolean::New(info.Env(), at::globalContext().setFlushDenormal(B(info, 0))); });
}

// Op counting (op-count.h): which aten ops, casts and copies a training step issues, to set beside PyTorch's
// profiler.
// countOps(on, shapes): true starts counting afresh (with shapes: keyed "name [shape] dtype"); false stops, returns
// { name: calls }.
Napi::Value CountOps(const Info& info) {
  return Guard(info, [&] {
    auto env = info.Env();
    if (B(info, 0)) {
      facegan_ops::Start(info.Length() > 1 && B(info, 1));
      return env.Undefined();
    }
    auto out = Napi::Object::New(env);
    for (const auto& [name, n] : facegan_ops::Stop()) out.Set(name, Napi::Number::New(env, double(n)));
    return out.As<Napi::Value>();
  });
}

Napi::Value Version(const Info& info) { return Napi::String::New(info.Env(), TORCH_VERSION); }

Napi::Value ParallelInfo(const Info& info) { return Napi::String::New(info.Env(), at::get_parallel_info()); }

}  // namespace

void InitRuntime(Napi::Env env, Napi::Object exports) {
  exports["setNumThreads"] = Napi::Function::New(env, SetNumThreads, "setNumThreads");
  exports["numThreads"] = Napi::Function::New(env, NumThreads, "numThreads");
  exports["manualSeed"] = Napi::Function::New(env, ManualSeed, "manualSeed");
  exports["cudaIsAvailable"] = Napi::Function::New(env, CudaIsAvailable, "cudaIsAvailable");
  exports["cudaDeviceCount"] = Napi::Function::New(env, CudaDeviceCount, "cudaDeviceCount");
  exports["setAutocast"] = Napi::Function::New(env, SetAutocast, "setAutocast");
  exports["trimMemory"] = Napi::Function::New(env, TrimMemory, "trimMemory");
  exports["setFlushDenormal"] = Napi::Function::New(env, SetFlushDenormal, "setFlushDenormal");
  exports["countOps"] = Napi::Function::New(env, CountOps, "countOps");
  exports["version"] = Napi::Function::New(env, Version, "version");
  exports["parallelInfo"] = Napi::Function::New(env, ParallelInfo, "parallelInfo");
}

}  // namespace facegan
