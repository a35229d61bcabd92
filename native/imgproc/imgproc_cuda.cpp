// N-API binding of the imgproc CUDA twins for the CUDA addon: same names and arguments as the CPU
// addon (imgproc_napi.cc), host arrays in and out, so parity tests call both identically. Each call
// uploads, launches on its own stream, downloads and synchronizes on the libuv pool.
#include <napi.h>
#include "addon/async.h"
#include "addon/registry.h"
#include "cuda_addon/cuda_common.h"
#include "imgproc/classifier_input_cuda.h"
#include "imgproc/cv_resize_cuda.h"
#include "imgproc/minmax_cuda.h"
#include "imgproc/napi_args.h"
#include "imgproc/resize_cuda.h"
#include "imgproc/window_cuda.h"

namespace rsna {
namespace imgproc {
namespace {

using F32 = std::vector<float>;
using U8 = std::vector<uint8_t>;
using rsna::cuda::DeviceBuffer;
using rsna::cuda::Stream;

// Uploads host pixels (a JS array held by reference) to a new device buffer on `stream`.
template <typename T>
DeviceBuffer<T> Upload(const PixelArg<T>& host, const Stream& stream) {
  DeviceBuffer<T> d;
  d.Upload(host.data(), host.size(), stream.get());
  return d;
}

// Downloads `count` elements and waits for the stream.
template <typename T>
std::vector<T> Download(const DeviceBuffer<T>& d, size_t count, const Stream& stream) {
  std::vector<T> out(count);
  d.Download(out.data(), count, stream.get());
  stream.Sync();
  return out;
}

Napi::Value MinMaxScale255Js(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols");
  auto raw = ArgPixels<int16_t>(info, 0, rows, cols, "raw");
  bool invert = info[3].ToBoolean().Value();
  return RunAsync<F32>(info.Env(), [=] {
    Stream s;
    auto d_raw = Upload(*raw, s);
    DeviceBuffer<float> d_out(raw->size());
    cuda::LaunchMinMaxScale255(d_raw.get(), rows, cols, invert, d_out.get(), s.get());
    return Download(d_out, raw->size(), s);
  }, F32ToJs);
}

// Windowed float crop on the device (shared by the float and uint8 variants).
DeviceBuffer<float> DeviceWindowedCrop(const CropArgs& c, const Stream& s, DeviceBuffer<int16_t>& d_raw) {
  WindowAffine affine = MakeWindowAffine(c.spec);
  d_raw = Upload(*c.raw, s);
  DeviceBuffer<float> d_crop(static_cast<size_t>(c.box.y1 - c.box.y0) * (c.box.x1 - c.box.x0));
  cuda::LaunchWindowedCrop(d_raw.get(), c.cols, c.box, affine, c.invert, d_crop.get(), s.get());
  return d_crop;
}

Napi::Value WindowedCropJs(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  return RunAsync<F32>(info.Env(), [c] {
    Stream s;
    DeviceBuffer<int16_t> d_raw;
    DeviceBuffer<float> d_crop = DeviceWindowedCrop(c, s, d_raw);
    return Download(d_crop, d_crop.size(), s);
  }, F32ToJs);
}

Napi::Value WindowedCropU8Js(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  return RunAsync<U8>(info.Env(), [c] {
    Stream s;
    DeviceBuffer<int16_t> d_raw;
    DeviceBuffer<float> d_crop = DeviceWindowedCrop(c, s, d_raw);
    DeviceBuffer<uint8_t> d_out(d_crop.size());
    cuda::LaunchTruncateU8(d_crop.get(), d_crop.size(), d_out.get(), s.get());
    return Download(d_out, d_crop.size(), s);
  }, U8ToJs);
}

Napi::Value TorchResizeJs(const Napi::CallbackInfo& info) {
  auto r = ArgResize<float>(info);
  return RunAsync<F32>(info.Env(), [r] {
    Stream s;
    auto d_in = Upload(*r.pixels, s);
    size_t n = static_cast<size_t>(r.out_rows) * r.out_cols;
    DeviceBuffer<float> d_out(n);
    cuda::LaunchTorchResize(d_in.get(), r.rows, r.cols, d_out.get(), r.out_rows, r.out_cols, r.out_cols, s.get());
    return Download(d_out, n, s);
  }, F32ToJs);
}

Napi::Value DetectorInputJs(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols"), size = ArgInt(info, 3, "size");
  auto img = ArgPixels<float>(info, 0, rows, cols, "image");
  if (size <= 0 || size > 4096) throw NativeError("ERR_INVALID_SIZE", "detector size must be in 1..4096");
  return RunAsync<DetectorInputResult>(info.Env(), [=] {
    DetectorInputResult r;
    r.fit = TorchFitSize(rows, cols, size, size);
    Stream s;
    auto d_in = Upload(*img, s);
    size_t plane = static_cast<size_t>(size) * size, resized = static_cast<size_t>(r.fit.rows) * r.fit.cols;
    DeviceBuffer<float> d_tensor(3 * plane), d_resized(resized);
    cuda::LaunchDetectorInput(d_in.get(), rows, cols, size, r.fit.rows, r.fit.cols, d_tensor.get(), d_resized.get(), s.get());
    r.tensor = Download(d_tensor, 3 * plane, s);
    r.resized = Download(d_resized, resized, s);
    return r;
  }, DetectorResultToJs<float>);
}

Napi::Value ClassifierInputJs(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  int32_t out_rows = ArgInt(info, 6, "outRows"), out_cols = ArgInt(info, 7, "outCols");
  PixelCount(out_rows, out_cols, 4);
  return RunAsync<U8>(info.Env(), [=] {
    WindowAffine affine = MakeWindowAffine(c.spec);
    Stream s;
    auto d_raw = Upload(*c.raw, s);
    size_t n = static_cast<size_t>(out_rows) * out_cols;
    DeviceBuffer<uint8_t> d_out(n);
    cuda::LaunchClassifierInput(d_raw.get(), c.rows, c.cols, c.box, affine, c.invert, d_out.get(), out_rows, out_cols,
                                s.get());
    return Download(d_out, n, s);
  }, U8ToJs);
}

Napi::Value CvResizeLinearJs(const Napi::CallbackInfo& info) {
  auto r = ArgResize<uint8_t>(info);
  return RunAsync<U8>(info.Env(), [r] {
    Stream s;
    auto d_in = Upload(*r.pixels, s);
    size_t n = static_cast<size_t>(r.out_rows) * r.out_cols;
    DeviceBuffer<uint8_t> d_out(n);
    cuda::LaunchCvResizeLinearU8(d_in.get(), r.rows, r.cols, d_out.get(), r.out_rows, r.out_cols, r.out_cols, s.get());
    return Download(d_out, n, s);
  }, U8ToJs);
}

void InitImgprocCuda(Napi::Env env, Napi::Object exports) {
  exports.Set("imgprocMinMaxScale255", Napi::Function::New(env, Guarded<MinMaxScale255Js>));
  exports.Set("imgprocWindowedCrop", Napi::Function::New(env, Guarded<WindowedCropJs>));
  exports.Set("imgprocWindowedCropU8", Napi::Function::New(env, Guarded<WindowedCropU8Js>));
  exports.Set("imgprocTorchResize", Napi::Function::New(env, Guarded<TorchResizeJs>));
  exports.Set("imgprocDetectorInput", Napi::Function::New(env, Guarded<DetectorInputJs>));
  exports.Set("imgprocClassifierInput", Napi::Function::New(env, Guarded<ClassifierInputJs>));
  exports.Set("imgprocCvResizeLinear", Napi::Function::New(env, Guarded<CvResizeLinearJs>));
}

}  // namespace

RSNA_REGISTER_MODULE(imgproc_cuda, InitImgprocCuda);

}  // namespace imgproc
}  // namespace rsna
