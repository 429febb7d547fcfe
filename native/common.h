// Shared helpers of the facegan native binding: how a libtorch tensor travels to JavaScript (a type-tagged
// external that owns one at::Tensor), how JavaScript arguments are read, and how libtorch errors become
// JavaScript errors. All policy (shape checks with good messages, defaults) lives in TypeScript.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>  // at::GradMode, at::NoGradGuard: ATen.h stopped including it after 1.13

#include <atomic>
#include <string>
#include <vector>

namespace facegan {

using Info = Napi::CallbackInfo;

// One JavaScript-visible tensor. `t` is reset by dispose(); the holder itself goes with the GC finalizer.
struct Holder {
  at::Tensor t;
};

// Number of holders that still own a tensor: the live-tensor count the leak tests read.
extern std::atomic<int64_t> g_live;

Napi::Value Wrap(Napi::Env env, at::Tensor t);
at::Tensor& T(const Info& info, size_t i);                  // a tensor argument (throws TypeError otherwise)
c10::optional<at::Tensor> OT(const Info& info, size_t i);   // a tensor or null/undefined
bool IsTensor(const Napi::Value& v);
at::Tensor& Unwrap(const Napi::Value& v, const char* what);
double D(const Info& info, size_t i);
int64_t I(const Info& info, size_t i);
bool B(const Info& info, size_t i);
std::string S(const Info& info, size_t i);
std::vector<int64_t> IL(const Info& info, size_t i);         // an array of integers
std::vector<at::Tensor> TL(const Info& info, size_t i);      // an array of tensors
at::Scalar Sc(const Info& info, size_t i);                   // a number or boolean as a Scalar

at::ScalarType ParseDtype(const std::string& name);
const char* DtypeName(at::ScalarType t);
at::TensorOptions Options(const Info& info, size_t dtypeIndex, size_t deviceIndex);

// Runs `fn` and turns libtorch (c10::Error) and std exceptions into a JavaScript Error with code E_TORCH.
template <typename F>
Napi::Value Guard(const Info& info, F&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    auto err = Napi::Error::New(info.Env(), e.what_without_backtrace());
    err.Set("code", Napi::String::New(info.Env(), "E_TORCH"));
    throw err;
  } catch (const std::exception& e) {
    auto err = Napi::Error::New(info.Env(), e.what());
    err.Set("code", Napi::String::New(info.Env(), "E_TORCH"));
    throw err;
  }
}

// Registration of each concern's functions onto the module's exports.
void InitTensor(Napi::Env env, Napi::Object exports);
void InitOps(Napi::Env env, Napi::Object exports);
void InitAutograd(Napi::Env env, Napi::Object exports);
void InitOptim(Napi::Env env, Napi::Object exports);
void InitRuntime(Napi::Env env, Napi::Object exports);

}  // namespace facegan
