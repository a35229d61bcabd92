// releaseFreedMemory(): glibc's malloc_trim(0), which hands the free pages of every malloc arena back to
// the kernel. ONNX Runtime frees the parsed model (hundreds of MB of protobuf) after building a session,
// but glibc keeps such holes mapped unless they sit at the top of a heap: without this a 4-fold
// convnext_small session holds about 550 MB it no longer uses (lib/runtime/onnxruntime_backend.ts).
#include <napi.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include "registry.h"

namespace rsna {

static Napi::Value ReleaseFreedMemory(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

static void InitMallocTrim(Napi::Env env, Napi::Object exports) {
  exports.Set("releaseFreedMemory", Napi::Function::New(env, ReleaseFreedMemory, "releaseFreedMemory"));
}

RSNA_REGISTER_MODULE(malloc_trim, InitMallocTrim);

}  // namespace rsna
