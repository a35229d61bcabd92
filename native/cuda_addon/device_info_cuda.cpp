// deviceInfo(): what the CUDA runtime sees (count, names, compute capability). Safe to call on a
// machine without a GPU: it reports the reason instead of failing.
#include <cuda_runtime.h>
#include <napi.h>
#include "addon/registry.h"

namespace rsna {

static Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  int runtime = 0, driver = 0, count = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  out.Set("runtimeVersion", runtime);
  out.Set("driverVersion", driver);
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    out.Set("deviceCount", 0);
    out.Set("error", Napi::String::New(env, cudaGetErrorString(status)));
    cudaGetLastError();
    return out;
  }
  out.Set("deviceCount", count);
  Napi::Array devices = Napi::Array::New(env);
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    Napi::Object d = Napi::Object::New(env);
    d.Set("name", prop.name);
    d.Set("computeCapability", std::to_string(prop.major) + "." + std::to_string(prop.minor));
    d.Set("totalMemory", static_cast<double>(prop.totalGlobalMem));
    devices.Set(static_cast<uint32_t>(i), d);
  }
  out.Set("devices", devices);
  return out;
}

static void InitDeviceInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo, "deviceInfo"));
}

RSNA_REGISTER_MODULE(device_info, InitDeviceInfo);

}  // namespace rsna
