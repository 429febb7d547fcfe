// The op counter of facegan's countOps (native/runtime.cc) as a small C library, so that a PyTorch process counts
// its ops the same way (bench/reference-op-counts.py loads it with ctypes): a RecordFunction callback keyed by op
// name, the shape and dtype of the first tensor input, and " strided" when that input is not contiguous.
#include <ATen/record_function.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace {
std::mutex lock;
std::unordered_map<std::string, long> counts;
c10::optional<at::CallbackHandle> handle;
std::string out;

std::string FirstShape(const at::RecordFunction& fn) {
  for (const auto& v : fn.inputs()) {
    if (!v.isTensor()) continue;
    const auto& t = v.toTensor();
    if (!t.defined()) return " [undefined]";
    std::string s = " [";
    for (auto d : t.sizes()) s += (s.size() > 2 ? ", " : "") + std::to_string(d);
    return s + "] " + c10::toString(t.scalar_type()) + (t.is_contiguous() ? "" : " strided");
  }
  return "";
}

std::unique_ptr<at::ObserverContext> Count(const at::RecordFunction& fn) {
  std::string key = fn.name() + FirstShape(fn);
  std::lock_guard<std::mutex> guard(lock);
  counts[key]++;
  return nullptr;
}
}  // namespace

extern "C" void op_counter_start() {
  counts.clear();
  handle = at::addGlobalCallback(at::RecordFunctionCallback(Count).needsInputs(true).scopes(
      {at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
}

// "key\tcount\n" lines.
extern "C" const char* op_counter_stop() {
  if (handle) at::removeCallback(*handle);
  handle = c10::nullopt;
  std::lock_guard<std::mutex> guard(lock);
  out.clear();
  for (const auto& [key, n] : counts) out += key + "\t" + std::to_string(n) + "\n";
  counts.clear();
  return out.c_str();
}
