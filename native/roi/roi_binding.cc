// N-API surface of the ROI kernels in the CPU addon (types in lib/roi/addon.ts):
//   yoloxDecode(raw, inputSize) → Float32Array                       decode_outputs (§2.4)
//   yoloxPostprocess(raw, inputSize, conf, nms) → Float32Array       post_process rows (§2.5.1–§2.5.3)
//   yoloxSelect(rows, ratio, rows, cols, areaThres) → object | null  §2.5.4–§2.5.6
//   otsuRoi(u8, height, width, keepImages) → Promise<object>         extract_roi_otsu (§2.6)
//   detectorImage(raw, rows, cols, invert, size, withOtsu, previewWidth) → Promise<object>  the detect stage's one job
// The YOLOX functions are microseconds of work on 3549 anchors and run synchronously; Otsu is async.
#include <napi.h>

#include "addon/async.h"
#include "addon/registry.h"
#include "imgproc/napi_args.h"
#include "roi/detector_image.h"
#include "roi/otsu_roi.h"
#include "roi/roi_args.h"
#include "roi/yolox_post.h"

namespace rsna {
namespace roi {

namespace {

const float* RawArg(const Napi::CallbackInfo& info, const YoloxGrid& grid) {
  Napi::Float32Array raw = Float32Arg(info, 0, "raw");
  if (raw.ElementLength() != static_cast<size_t>(grid.anchors) * kYoloxChannels) {
    throw NativeError("ERR_INVALID_ARGUMENT", "raw YOLOX output must have " + std::to_string(grid.anchors) + "×6 values for a " +
                                                  std::to_string(grid.input_size) + " input, got " +
                                                  std::to_string(raw.ElementLength()));
  }
  return raw.Data();
}

Napi::Value YoloxDecodeJs(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    YoloxGrid grid(IntArg(info, 1, "inputSize", 32, 8192));
    return ToTypedArray<float, Napi::Float32Array>(info.Env(), DecodeYolox(RawArg(info, grid), grid));
  });
}

Napi::Value YoloxPostprocessJs(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    YoloxGrid grid(IntArg(info, 1, "inputSize", 32, 8192));
    const double conf = NumberArg(info, 2, "confThres");
    const double nms = NumberArg(info, 3, "nmsThres");
    return ToTypedArray<float, Napi::Float32Array>(info.Env(), PostprocessYolox(RawArg(info, grid), grid, conf, nms));
  });
}

Napi::Value YoloxSelectJs(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    Napi::Float32Array rows = Float32Arg(info, 0, "rows");
    if (rows.ElementLength() % kRowChannels != 0) {
      throw NativeError("ERR_INVALID_ARGUMENT", "post_process rows must have 7 values each");
    }
    const double ratio = NumberArg(info, 1, "ratio");
    const int height = IntArg(info, 2, "rows", 1, 1 << 20);
    const int width = IntArg(info, 3, "cols", 1, 1 << 20);
    const double area_thres = NumberArg(info, 4, "areaThres");
    std::vector<float> r(rows.Data(), rows.Data() + rows.ElementLength());
    YoloxSelection sel = SelectYoloxBox(r, ratio, height, width, area_thres);
    Napi::Env env = info.Env();
    if (!sel.found) return env.Null();
    Napi::Object out = Napi::Object::New(env);
    Napi::Array box = Napi::Array::New(env, 4), scaled = Napi::Array::New(env, 4);
    for (uint32_t k = 0; k < 4; ++k) {
      box.Set(k, sel.box[k]);
      scaled.Set(k, static_cast<double>(sel.scaled[k]));
    }
    out.Set("row", sel.row);
    out.Set("scaled", scaled);
    out.Set("score", static_cast<double>(sel.score));
    out.Set("box", box);
    out.Set("areaPct", sel.area_pct);
    out.Set("accepted", sel.accepted);
    return out;
  });
}

Napi::Object OtsuToJs(Napi::Env env, OtsuSteps& st) {
    Napi::Object out = Napi::Object::New(env);
    out.Set("p95Upper", st.p95_upper);
    out.Set("imageMin", st.image_min);
    out.Set("nClipped", static_cast<double>(st.n_clipped));
    out.Set("threshold", st.threshold);
    out.Set("binaryForeground", static_cast<double>(st.binary_foreground));
    out.Set("dilatedForeground", static_cast<double>(st.dilated_foreground));
    out.Set("contourAreas", ToTypedArray<double, Napi::Float64Array>(env, st.areas));
    out.Set("contourPoints", ToTypedArray<int, Napi::Int32Array>(env, st.n_points));
    out.Set("largest", st.largest);
    Napi::Array rect = Napi::Array::New(env, 4), box = Napi::Array::New(env, 4);
    const int r[4] = {st.rect.x, st.rect.y, st.rect.width, st.rect.height};
    for (uint32_t k = 0; k < 4; ++k) {
      rect.Set(k, r[k]);
      box.Set(k, st.box[k]);
    }
    out.Set("rect", rect);
    out.Set("box", box);
    out.Set("areaPct", st.area_pct);
    if (!st.blurred.empty()) {
      out.Set("clipped", ToTypedArray<uint8_t, Napi::Uint8Array>(env, st.clipped));
      out.Set("blurred", ToTypedArray<uint8_t, Napi::Uint8Array>(env, st.blurred));
      out.Set("binary", ToTypedArray<uint8_t, Napi::Uint8Array>(env, st.binary));
      out.Set("dilated", ToTypedArray<uint8_t, Napi::Uint8Array>(env, st.dilated));
    }
    return out;
}

Napi::Value OtsuRoiJs(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw NativeError("ERR_INVALID_ARGUMENT", "expected a Uint8Array for the resized image");
    }
    Napi::Uint8Array img = info[0].As<Napi::Uint8Array>();
    const int height = IntArg(info, 1, "height", 1, 1 << 16);
    const int width = IntArg(info, 2, "width", 1, 1 << 16);
    const bool keep = info.Length() > 3 && info[3].ToBoolean().Value();
    if (img.ElementLength() != static_cast<size_t>(height) * static_cast<size_t>(width)) {
      throw NativeError("ERR_INVALID_ARGUMENT", "image length must equal height × width");
    }
    U8Image copy = CopyTypedArray(img);
    return RunAsync<OtsuSteps>(
        info.Env(), [copy = std::move(copy), height, width, keep]() mutable { return RunOtsu(std::move(copy), height, width, keep); },
        [](Napi::Env env, OtsuSteps& st) -> Napi::Value { return OtsuToJs(env, st); });
  });
}

// (raw: Int16Array, rows, cols, invert, size, withOtsu, previewWidth) → Promise<{constant, tensor?,
// resizedU8?, ratio, resizedHeight, resizedWidth, otsu?, otsuError?, preview?}>: the detect stage's one job.
Napi::Value DetectorImageJs(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    const int32_t rows = imgproc::ArgInt(info, 1, "rows"), cols = imgproc::ArgInt(info, 2, "cols");
    auto raw = imgproc::ArgPixels<int16_t>(info, 0, rows, cols, "raw");
    const bool invert = info[3].ToBoolean().Value();
    const int32_t size = imgproc::ArgInt(info, 4, "size");
    const bool with_otsu = info[5].ToBoolean().Value();
    const double preview_width = imgproc::ArgPreviewWidth(info, 6);
    return RunAsync<DetectorImage>(
        info.Env(), [=] { return RunDetectorImage(raw->data(), rows, cols, invert, size, with_otsu, preview_width); },
        [](Napi::Env env, DetectorImage& d) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("constant", d.constant);
          if (!d.preview.data.empty()) o.Set("preview", imgproc::ThumbnailToJs(env, d.preview));
          if (d.constant) return o;
          o.Set("ratio", d.input.fit.ratio);
          o.Set("resizedHeight", d.input.fit.rows);
          o.Set("resizedWidth", d.input.fit.cols);
          o.Set("tensor", imgproc::ToTypedArray(env, std::move(d.input.tensor)));
          o.Set("resizedU8", imgproc::ToTypedArray(env, std::move(d.resized_u8)));
          if (d.has_otsu) o.Set("otsu", OtsuToJs(env, d.otsu));
          if (!d.otsu_error.empty()) o.Set("otsuError", MakeError(env, d.otsu_error_code, d.otsu_error).Value());
          return o;
        });
  });
}

void InitRoi(Napi::Env env, Napi::Object exports) {
  exports.Set("detectorImage", Napi::Function::New(env, DetectorImageJs, "detectorImage"));
  exports.Set("yoloxDecode", Napi::Function::New(env, YoloxDecodeJs, "yoloxDecode"));
  exports.Set("yoloxPostprocess", Napi::Function::New(env, YoloxPostprocessJs, "yoloxPostprocess"));
  exports.Set("yoloxSelect", Napi::Function::New(env, YoloxSelectJs, "yoloxSelect"));
  exports.Set("otsuRoi", Napi::Function::New(env, OtsuRoiJs, "otsuRoi"));
}

}  // namespace

RSNA_REGISTER_MODULE(roi, InitRoi);

}  // namespace roi
}  // namespace rsna
