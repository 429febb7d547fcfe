// Entry point of the facegan native addon: each concern registers its own functions.
#include "common.h"

namespace facegan {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitTensor(env, exports);
  InitOps(env, exports);
  InitAutograd(env, exports);
  InitOptim(env, exports);
  InitRuntime(env, exports);
  return exports;
}

NODE_API_MODULE(facegan_native, Init)

}  // namespace facegan
