// N-API glue of the CPU pixel kernels: copy the inputs, run the kernel on the libuv pool, return
// typed arrays. The CUDA addon exports the same names and signatures (imgproc_cuda.cpp).
#include <napi.h>
#include "addon/async.h"
#include "addon/registry.h"
#include "imgproc/display.h"
#include "imgproc/kernels.h"
#include "imgproc/napi_args.h"

namespace rsna {
namespace imgproc {
namespace {

using F32 = std::vector<float>;
using U8 = std::vector<uint8_t>;

// (raw: Int16Array, rows, cols, invert) -> Promise<Float32Array>
Napi::Value MinMaxScale255Js(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols");
  auto raw = ArgPixels<int16_t>(info, 0, rows, cols, "raw");
  bool invert = info[3].ToBoolean().Value();
  return RunAsync<F32>(info.Env(), [raw, invert] { return MinMaxScale255(raw->data(), raw->size(), invert); }, F32ToJs);
}

// (pixels: Uint16Array|Uint8Array, rows, cols) -> Promise<Float64Array>
Napi::Value PercentileMinMaxScaleJs(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols");
  auto to_js = [](Napi::Env env, std::vector<double>& v) -> Napi::Value { return ToTypedArray(env, std::move(v)); };
  if (info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    auto px = ArgPixels<uint8_t>(info, 0, rows, cols, "pixels");
    return RunAsync<std::vector<double>>(info.Env(), [px] { return PercentileMinMaxScale(px->data(), px->size()); }, to_js);
  }
  auto px = ArgPixels<uint16_t>(info, 0, rows, cols, "pixels");
  return RunAsync<std::vector<double>>(info.Env(), [px] { return PercentileMinMaxScale(px->data(), px->size()); }, to_js);
}

// (raw: Int16Array, rows, cols, box, window, invert) -> Promise<Float32Array> (float windowed crop)
Napi::Value WindowedCropJs(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  return RunAsync<F32>(info.Env(), [c] { return WindowedCrop(c.raw->data(), c.rows, c.cols, c.box, c.spec, c.invert); },
                       F32ToJs);
}

// (raw, rows, cols, box, window, invert) -> Promise<Uint8Array> (native crop size, truncated, §7.7.1)
Napi::Value WindowedCropU8Js(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  return RunAsync<U8>(info.Env(), [c] {
    F32 f = WindowedCrop(c.raw->data(), c.rows, c.cols, c.box, c.spec, c.invert);
    U8 out(f.size());
    for (size_t i = 0; i < f.size(); ++i) out[i] = TruncateU8(f[i]);
    return out;
  }, U8ToJs);
}

// (img: Float32Array, rows, cols, outRows, outCols) -> Promise<Float32Array>
Napi::Value TorchResizeJs(const Napi::CallbackInfo& info) {
  auto r = ArgResize<float>(info);
  return RunAsync<F32>(info.Env(), [r] {
    F32 out(static_cast<size_t>(r.out_rows) * r.out_cols);
    ResizeTorchBilinear(r.pixels->data(), r.rows, r.cols, out.data(), r.out_rows, r.out_cols, r.out_cols);
    return out;
  }, F32ToJs);
}


// (image: Float32Array|Float64Array, rows, cols, size) -> Promise<{tensor, resized, ratio, resizedHeight,
// resizedWidth}>; a Float64Array runs torch's float64 kernel (resized stays Float64Array).
Napi::Value DetectorInputJs(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols"), size = ArgInt(info, 3, "size");
  if (info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array) {
    auto img = ArgPixels<double>(info, 0, rows, cols, "image");
    return RunAsync<DetectorInputOf<double>>(info.Env(), [=] { return DetectorInput(img->data(), rows, cols, size); },
                                             DetectorResultToJs<double>);
  }
  auto img = ArgPixels<float>(info, 0, rows, cols, "image");
  return RunAsync<DetectorInputResult>(info.Env(), [=] { return DetectorInput(img->data(), rows, cols, size); },
                                       DetectorResultToJs<float>);
}

// (raw, rows, cols, box, window, invert, outRows, outCols) -> Promise<Uint8Array> (§2.8 + §3.1)
Napi::Value ClassifierInputJs(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  int32_t out_rows = ArgInt(info, 6, "outRows"), out_cols = ArgInt(info, 7, "outCols");
  PixelCount(out_rows, out_cols, 4);
  return RunAsync<U8>(info.Env(), [=] {
    F32 crop = WindowedCrop(c.raw->data(), c.rows, c.cols, c.box, c.spec, c.invert);
    return ResizeAndPadU8(crop.data(), c.box.y1 - c.box.y0, c.box.x1 - c.box.x0, out_rows, out_cols);
  }, U8ToJs);
}

// (raw, rows, cols, box, window, invert, outRows, outCols, previewWidth) -> Promise<{pixels, preview?}>:
// the prepare stage of one image in one job — classifier input (§2.8 + §3.1) and its report thumbnail.
Napi::Value PrepareInputJs(const Napi::CallbackInfo& info) {
  CropArgs c = ArgCrop(info);
  int32_t out_rows = ArgInt(info, 6, "outRows"), out_cols = ArgInt(info, 7, "outCols");
  PixelCount(out_rows, out_cols, 4);
  const double preview_width = ArgPreviewWidth(info, 8);
  struct Prepared {
    U8 pixels;
    Thumbnail preview;
  };
  return RunAsync<Prepared>(info.Env(), [=] {
    F32 crop = WindowedCrop(c.raw->data(), c.rows, c.cols, c.box, c.spec, c.invert);
    Prepared p;
    p.pixels = ResizeAndPadU8(crop.data(), c.box.y1 - c.box.y0, c.box.x1 - c.box.x0, out_rows, out_cols);
    if (preview_width > 0) p.preview = AreaThumbnail(p.pixels.data(), out_rows, out_cols, preview_width);
    return p;
  }, [](Napi::Env env, Prepared& p) -> Napi::Value {
    Napi::Object o = Napi::Object::New(env);
    if (!p.preview.data.empty()) o.Set("preview", ThumbnailToJs(env, p.preview));
    o.Set("pixels", ToTypedArray(env, std::move(p.pixels)));
    return o;
  });
}

// (u8: Uint8Array, rows, cols, width) -> Promise<{width, height, data}>: a report thumbnail (the GPU
// path's classifier input arrives as uint8 on the host; its thumbnail is made here, off the JS thread).
Napi::Value ThumbnailJs(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols");
  auto px = ArgPixels<uint8_t>(info, 0, rows, cols, "pixels");
  const double width = ArgPreviewWidth(info, 3);
  if (!(width > 0)) throw NativeError("ERR_INVALID_ARGUMENT", "width must be positive");
  return RunAsync<Thumbnail>(info.Env(), [=] { return AreaThumbnail(px->data(), rows, cols, width); }, ThumbnailToJs);
}

// (inputs: Uint8Array[], plane, out: Float32Array) -> Promise<void>: the batch tensor [N, 3, H, W]
// written into `out` in place (shared memory the inference worker reads), §3.1.5.
Napi::Value BatchTensorJs(const Napi::CallbackInfo& info) {
  if (!info[0].IsArray()) throw NativeError("ERR_INVALID_ARGUMENT", "inputs must be an array of Uint8Array");
  Napi::Array list = info[0].As<Napi::Array>();
  const int32_t plane = ArgInt(info, 1, "plane");
  if (plane <= 0) throw NativeError("ERR_INVALID_ARGUMENT", "plane must be positive");
  std::vector<PixelRef<uint8_t>> inputs;
  for (uint32_t n = 0; n < list.Length(); ++n) {
    Napi::Value v = list.Get(n);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
        v.As<Napi::Uint8Array>().ElementLength() != static_cast<size_t>(plane)) {
      throw NativeError("ERR_INVALID_ARGUMENT", "inputs[" + std::to_string(n) + "] must be a Uint8Array of plane elements");
    }
    inputs.push_back(std::make_shared<const PixelArg<uint8_t>>(v.As<Napi::Uint8Array>(), plane));
  }
  const size_t need = CheckedBytes(inputs.size(), 3, static_cast<size_t>(plane));
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      info[2].As<Napi::Float32Array>().ElementLength() < need) {
    throw NativeError("ERR_INVALID_ARGUMENT", "out must be a Float32Array of at least N*3*plane elements");
  }
  // Written by the pool thread while JS awaits the promise (the TS layer does not touch it meanwhile).
  auto out = std::make_shared<const PixelArg<float>>(info[2].As<Napi::Float32Array>(), need);
  return RunAsync<bool>(info.Env(), [inputs, out, plane] {
    std::vector<const uint8_t*> ptrs;
    for (const auto& p : inputs) ptrs.push_back(p->data());
    FillBatchTensor(ptrs, static_cast<size_t>(plane), const_cast<float*>(out->data()));
    return true;
  }, [](Napi::Env env, bool&) -> Napi::Value { return env.Undefined(); });
}

// (u8: Uint8Array, rows, cols, outRows, outCols) -> Promise<Uint8Array> (cv INTER_LINEAR, exact size)
Napi::Value CvResizeLinearJs(const Napi::CallbackInfo& info) {
  auto r = ArgResize<uint8_t>(info);
  return RunAsync<U8>(info.Env(), [r] {
    U8 out(static_cast<size_t>(r.out_rows) * r.out_cols);
    CvResizeLinearU8(r.pixels->data(), r.rows, r.cols, out.data(), r.out_rows, r.out_cols, r.out_cols);
    return out;
  }, U8ToJs);
}

// (u8, rows, cols, outRows, outCols) -> Promise<Uint8Array> (fit-resize + centered pad, §3.2.3)
Napi::Value TrainingResizeJs(const Napi::CallbackInfo& info) {
  auto r = ArgResize<uint8_t>(info);
  return RunAsync<U8>(info.Env(), [r] { return TrainingResizeU8(r.pixels->data(), r.rows, r.cols, r.out_rows, r.out_cols); },
                      U8ToJs);
}

// (pixels: Int16Array|Uint16Array|Int32Array|Float32Array, rows, cols,
//  {standard, func, center, width, invert, slope, intercept}) -> Promise<Uint8Array>
Napi::Value WindowToUint8Js(const Napi::CallbackInfo& info) {
  int32_t rows = ArgInt(info, 1, "rows"), cols = ArgInt(info, 2, "cols");
  DisplayParams p;
  p.window = ArgWindow(info, 3);
  Napi::Object o = info[3].As<Napi::Object>();
  p.standard = o.Get("standard").ToBoolean().Value();
  p.invert = o.Get("invert").ToBoolean().Value();
  if (o.Has("slope")) p.slope = o.Get("slope").ToNumber().DoubleValue();
  if (o.Has("intercept")) p.intercept = o.Get("intercept").ToNumber().DoubleValue();
  if (!info[0].IsTypedArray()) throw NativeError("ERR_INVALID_ARGUMENT", "pixels must be a typed array");
  switch (info[0].As<Napi::TypedArray>().TypedArrayType()) {
    case napi_int16_array: {
      auto px = ArgPixels<int16_t>(info, 0, rows, cols, "pixels");
      return RunAsync<U8>(info.Env(), [=] { return WindowToUint8(px->data(), px->size(), p); }, U8ToJs);
    }
    case napi_uint16_array: {
      auto px = ArgPixels<uint16_t>(info, 0, rows, cols, "pixels");
      return RunAsync<U8>(info.Env(), [=] { return WindowToUint8(px->data(), px->size(), p); }, U8ToJs);
    }
    case napi_int32_array: {
      auto px = ArgPixels<int32_t>(info, 0, rows, cols, "pixels");
      return RunAsync<U8>(info.Env(), [=] { return WindowToUint8(px->data(), px->size(), p); }, U8ToJs);
    }
    case napi_float32_array: {
      auto px = ArgPixels<float>(info, 0, rows, cols, "pixels");
      return RunAsync<U8>(info.Env(), [=] { return WindowToUint8(px->data(), px->size(), p); }, U8ToJs);
    }
    default:
      throw NativeError("ERR_INVALID_ARGUMENT", "pixels must be an Int16Array, Uint16Array, Int32Array or Float32Array");
  }
}

void InitImgproc(Napi::Env env, Napi::Object exports) {
  exports.Set("imgprocMinMaxScale255", Napi::Function::New(env, Guarded<MinMaxScale255Js>));
  exports.Set("imgprocPercentileMinMaxScale", Napi::Function::New(env, Guarded<PercentileMinMaxScaleJs>));
  exports.Set("imgprocWindowedCrop", Napi::Function::New(env, Guarded<WindowedCropJs>));
  exports.Set("imgprocWindowedCropU8", Napi::Function::New(env, Guarded<WindowedCropU8Js>));
  exports.Set("imgprocTorchResize", Napi::Function::New(env, Guarded<TorchResizeJs>));
  exports.Set("imgprocDetectorInput", Napi::Function::New(env, Guarded<DetectorInputJs>));
  exports.Set("imgprocClassifierInput", Napi::Function::New(env, Guarded<ClassifierInputJs>));
  exports.Set("imgprocCvResizeLinear", Napi::Function::New(env, Guarded<CvResizeLinearJs>));
  exports.Set("imgprocTrainingResize", Napi::Function::New(env, Guarded<TrainingResizeJs>));
  exports.Set("imgprocWindowToUint8", Napi::Function::New(env, Guarded<WindowToUint8Js>));
  exports.Set("imgprocPrepareInput", Napi::Function::New(env, Guarded<PrepareInputJs>));
  exports.Set("imgprocBatchTensor", Napi::Function::New(env, Guarded<BatchTensorJs>));
  exports.Set("imgprocThumbnail", Napi::Function::New(env, Guarded<ThumbnailJs>));
}

}  // namespace

RSNA_REGISTER_MODULE(imgproc, InitImgproc);

}  // namespace imgproc
}  // namespace rsna
