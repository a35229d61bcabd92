// CUDA addon binding of the YOLOX decode/filter twin: yoloxDecodeFilter(raw, inputSize, confThres)
// → {decoded, candidates}, the same name and signature as the CPU addon's (native/roi/roi_binding.cc).
#include <napi.h>

#include <string>

#include "addon/registry.h"
#include "roi/roi_args.h"
#include "roi/yolox_decode_cuda.h"

namespace rsna {
namespace roi {

namespace {

Napi::Value YoloxDecodeFilterCudaJs(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    Napi::Float32Array raw = Float32Arg(info, 0, "raw");
    YoloxGrid grid(IntArg(info, 1, "inputSize", 32, 8192));
    const double conf = NumberArg(info, 2, "confThres");
    if (raw.ElementLength() != static_cast<size_t>(grid.anchors) * kYoloxChannels) {
      throw NativeError("ERR_INVALID_ARGUMENT", "raw YOLOX output must have " + std::to_string(grid.anchors) + "×6 values");
    }
    DecodeFilterResult r = DecodeFilterCuda(raw.Data(), grid, conf);
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("decoded", ToTypedArray<float, Napi::Float32Array>(info.Env(), r.decoded));
    out.Set("candidates", ToTypedArray<int32_t, Napi::Int32Array>(info.Env(), r.candidates));
    return out;
  });
}

void InitRoiCuda(Napi::Env env, Napi::Object exports) {
  exports.Set("yoloxDecodeFilter", Napi::Function::New(env, YoloxDecodeFilterCudaJs, "yoloxDecodeFilter"));
}

}  // namespace

RSNA_REGISTER_MODULE(roi_cuda, InitRoiCuda);

}  // namespace roi
}  // namespace rsna
