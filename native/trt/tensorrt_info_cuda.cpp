// tensorrtInfo(): whether TensorRT 10 can be loaded here (dlopen, no header needed) and whether this
// addon was compiled with the engine builder/runtime (TensorRT headers found at build time).
#include <napi.h>
#include "addon/registry.h"
#include "trt/trt_library.h"
#ifdef RSNA_HAVE_TENSORRT_HEADERS
#include <NvInferVersion.h>
#endif

namespace rsna {

static Napi::Value TensorrtInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const trt::TrtLibrary& lib = trt::LoadTrtLibrary();
  Napi::Object out = Napi::Object::New(env);
#ifdef RSNA_HAVE_TENSORRT_HEADERS
  out.Set("compiled", true);
  out.Set("headerVersion", std::to_string(NV_TENSORRT_MAJOR) + "." + std::to_string(NV_TENSORRT_MINOR) + "." +
                                std::to_string(NV_TENSORRT_PATCH));
#else
  out.Set("compiled", false);
  out.Set("headerVersion", env.Null());
#endif
  out.Set("found", lib.inferFound);
  out.Set("parserFound", lib.parserFound);
  out.Set("version", lib.version ? Napi::Value(Napi::String::New(env, trt::VersionString(lib.version))) : env.Null());
  out.Set("libraryPath", lib.inferPath.empty() ? env.Null() : Napi::Value(Napi::String::New(env, lib.inferPath)));
  out.Set("parserPath", lib.parserPath.empty() ? env.Null() : Napi::Value(Napi::String::New(env, lib.parserPath)));
  out.Set("reason", lib.reason.empty() ? env.Null() : Napi::Value(Napi::String::New(env, lib.reason)));
  return out;
}

static void InitTensorrtInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("tensorrtInfo", Napi::Function::New(env, TensorrtInfo, "tensorrtInfo"));
}

RSNA_REGISTER_MODULE(tensorrt_info, InitTensorrtInfo);

}  // namespace rsna
