// The op counter of facegan's countOps (native/op-count.h, the same code) as a small C library, so that a PyTorch
// process counts its ops the same way (bench/reference-op-counts.py loads it with ctypes).
#include <string>

#include "../native/op-count.h"

namespace {
std::string out;
}  // namespace

extern "C" void op_counter_start() { facegan_ops::Start(true); }

// "key\tcount\n" lines.
extern "C" const char* op_counter_stop() {
  out.clear();
  for (const auto& [key, n] : facegan_ops::Stop()) out += key + "\t" + std::to_string(n) + "\n";
  return out.c_str();
}
