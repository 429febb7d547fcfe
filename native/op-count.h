// Op counting, shared by the addon's countOps (runtime.cc) and bench/op-counter.cc (the same counter loaded into a
// PyTorch process), so that both sides count alike: a RecordFunction callback, keyed by op name or by
// "name [shape] dtype" of the op's first tensor input (" strided" when that input is not contiguous), so that casts of
// 0-d scalars and of activations, or ops in float32 and in bfloat16, are told apart. Backward nodes and the ops they
// run are counted too; autograd may run them on other threads, hence the lock. The callback exists only between
// Start and Stop, so that ops cost nothing extra otherwise. Include it where NDEBUG is defined as libtorch was built
// (RecordFunction's layout and inputs() differ without it).
#pragma once

#include <ATen/record_function.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace facegan_ops {

inline std::mutex& CountsLock() {
  static std::mutex lock;
  return lock;
}
inline std::unordered_map<std::string, int64_t>& Counts() {
  static std::unordered_map<std::string, int64_t> counts;
  return counts;
}
inline c10::optional<at::CallbackHandle>& Handle() {
  static c10::optional<at::CallbackHandle> handle;
  return handle;
}

inline std::string FirstShape(const at::RecordFunction& fn) {
  for (const auto& v : fn.inputs()) {
    if (!v.isTensor()) continue;
    const auto& t = v.toTensor();
    if (!t.defined()) return " [undefined]";
    std::string out = " [";
    for (auto d : t.sizes()) out += (out.size() > 2 ? ", " : "") + std::to_string(d);
    return out + "] " + c10::toString(t.scalar_type()) + (t.is_contiguous() ? "" : " strided");
  }
  return "";
}

template <bool kShapes>
std::unique_ptr<at::ObserverContext> CountOp(const at::RecordFunction& fn) {
  std::string key = kShapes ? fn.name() + FirstShape(fn) : fn.name();
  std::lock_guard<std::mutex> lock(CountsLock());
  Counts()[key]++;
  return nullptr;
}

// Counting stops, and the counts so far are handed over (and cleared).
inline std::unordered_map<std::string, int64_t> Stop() {
  if (Handle()) at::removeCallback(*Handle());
  Handle() = c10::nullopt;
  std::lock_guard<std::mutex> lock(CountsLock());
  auto out = std::move(Counts());
  Counts().clear();
  return out;
}

// Counting starts afresh; with `shapes`, keyed by "name [shape] dtype".
inline void Start(bool shapes) {
  Stop();
  auto callback = at::RecordFunctionCallback(shapes ? CountOp<true> : CountOp<false>)
                      .needsInputs(shapes)
                      .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION});
  Handle() = at::addGlobalCallback(callback);
}

}  // namespace facegan_ops
