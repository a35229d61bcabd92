// Argument conversion shared by the CPU binding (imgproc_napi.cc) and the CUDA binding
// (imgproc_cuda.cpp), so both addons accept exactly the same JS arguments. JS validates first
// (lib/preprocess); these checks only keep bad calls from reaching the kernels.
#pragma once
#include <napi.h>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>
#include "addon/async.h"
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

inline int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw NativeError("ERR_INVALID_ARGUMENT", std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 2147483647.0) || v != static_cast<double>(static_cast<int64_t>(v))) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(name) + " must be a non-negative integer");
  }
  return static_cast<int32_t>(v);
}

template <typename T>
constexpr napi_typedarray_type TypedArrayKind() {
  if constexpr (std::is_same_v<T, uint8_t>) return napi_uint8_array;
  else if constexpr (std::is_same_v<T, int16_t>) return napi_int16_array;
  else if constexpr (std::is_same_v<T, uint16_t>) return napi_uint16_array;
  else if constexpr (std::is_same_v<T, int32_t>) return napi_int32_array;
  else if constexpr (std::is_same_v<T, float>) return napi_float32_array;
  else return napi_float64_array;
}

// The pixels of a JS typed array, read in place by the worker thread (no copy on the JS thread: a
// 5-megapixel image copied there held the event loop for tens of ms). The reference keeps the
// ArrayBuffer alive until the job is destroyed, which AsyncWorker does on the JS thread after
// OnOK/OnError. The TS layer never writes to an array while a call on it is pending.
template <typename T>
class PixelArg {
 public:
  PixelArg(const Napi::TypedArrayOf<T>& array, size_t n)
      : ref_(Napi::Persistent(static_cast<Napi::Object>(array))), data_(array.Data()), size_(n) {}
  const T* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  Napi::ObjectReference ref_;
  const T* data_;
  size_t size_;
};

template <typename T>
using PixelRef = std::shared_ptr<const PixelArg<T>>;

// A typed array of element type T whose length must be rows*cols, held by reference (see PixelArg).
template <typename T>
PixelRef<T> ArgPixels(const Napi::CallbackInfo& info, size_t i, int32_t rows, int32_t cols, const char* name) {
  size_t n = PixelCount(rows, cols, sizeof(T));
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != TypedArrayKind<T>()) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(name) + " has the wrong typed-array type");
  }
  Napi::TypedArrayOf<T> a = info[i].As<Napi::TypedArrayOf<T>>();
  if (a.ElementLength() != n) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(name) + " has " + std::to_string(a.ElementLength()) +
                                             " elements, expected rows*cols = " + std::to_string(n));
  }
  return std::make_shared<const PixelArg<T>>(a, n);
}

inline Box ArgBox(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray() || info[i].As<Napi::Array>().Length() != 4) {
    throw NativeError("ERR_INVALID_ARGUMENT", "box must be [x0, y0, x1, y1]");
  }
  Napi::Array a = info[i].As<Napi::Array>();
  int32_t v[4];
  for (uint32_t k = 0; k < 4; ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw NativeError("ERR_INVALID_ARGUMENT", "box coordinates must be integers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 2147483647.0) || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw NativeError("ERR_INVALID_ARGUMENT", "box coordinates must be non-negative integers");
    }
    v[k] = static_cast<int32_t>(d);
  }
  return Box{v[0], v[1], v[2], v[3]};
}

// {func: 'LINEAR'|'LINEAR_EXACT'|'SIGMOID'|'NONE', center, width, fp16}
inline WindowSpec ArgWindow(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsObject()) throw NativeError("ERR_INVALID_ARGUMENT", "window must be an object");
  Napi::Object o = info[i].As<Napi::Object>();
  WindowSpec s;
  s.func = ParseVoiFunction(o.Get("func").ToString().Utf8Value());
  if (s.func != VoiFunction::kNone) {
    s.center = o.Get("center").ToNumber().DoubleValue();
    s.width = o.Get("width").ToNumber().DoubleValue();
  }
  s.fp16 = o.Get("fp16").ToBoolean().Value();
  return s;
}

// Hands a vector's storage to JS without a copy (the ArrayBuffer owns it).
template <typename T>
Napi::TypedArrayOf<T> ToTypedArray(Napi::Env env, std::vector<T>&& v) {
  size_t n = v.size();
  if (n == 0) return Napi::TypedArrayOf<T>::New(env, 0);
  auto* holder = new std::vector<T>(std::move(v));
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, holder->data(), n * sizeof(T),
                                                 [](Napi::Env, void*, std::vector<T>* h) { delete h; }, holder);
  return Napi::TypedArrayOf<T>::New(env, n, buf, 0);
}

// The (raw: Int16Array, rows, cols, box, window, invert) prefix of the crop functions.
struct CropArgs {
  int32_t rows, cols;
  PixelRef<int16_t> raw;
  Box box;
  WindowSpec spec;
  bool invert;
};

inline CropArgs ArgCrop(const Napi::CallbackInfo& info) {
  CropArgs c;
  c.rows = ArgInt(info, 1, "rows");
  c.cols = ArgInt(info, 2, "cols");
  c.raw = ArgPixels<int16_t>(info, 0, c.rows, c.cols, "raw");
  c.box = ArgBox(info, 3);
  CheckBox(c.box, c.rows, c.cols);
  c.spec = ArgWindow(info, 4);
  c.invert = info[5].ToBoolean().Value();
  return c;
}

// The (pixels, rows, cols, outRows, outCols) arguments of the resize functions.
template <typename T>
struct ResizeArgs {
  int32_t rows, cols, out_rows, out_cols;
  PixelRef<T> pixels;
};

template <typename T>
ResizeArgs<T> ArgResize(const Napi::CallbackInfo& info) {
  ResizeArgs<T> r;
  r.rows = ArgInt(info, 1, "rows");
  r.cols = ArgInt(info, 2, "cols");
  r.out_rows = ArgInt(info, 3, "outRows");
  r.out_cols = ArgInt(info, 4, "outCols");
  r.pixels = ArgPixels<T>(info, 0, r.rows, r.cols, "pixels");
  PixelCount(r.out_rows, r.out_cols, sizeof(float));
  return r;
}

// {ratio, resizedHeight, resizedWidth, tensor, resized} of a detector input.
template <typename T = float>
Napi::Value DetectorResultToJs(Napi::Env env, DetectorInputOf<T>& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ratio", r.fit.ratio);
  o.Set("resizedHeight", r.fit.rows);
  o.Set("resizedWidth", r.fit.cols);
  o.Set("tensor", ToTypedArray(env, std::move(r.tensor)));
  o.Set("resized", ToTypedArray(env, std::move(r.resized)));
  return o;
}

// {width, height, data: Uint8Array} of a report thumbnail.
inline Napi::Value ThumbnailToJs(Napi::Env env, Thumbnail& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("width", t.width);
  o.Set("height", t.height);
  o.Set("data", ToTypedArray(env, std::move(t.data)));
  return o;
}

// An optional non-negative preview width (undefined or 0 = no preview).
inline double ArgPreviewWidth(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsUndefined() || info[i].IsNull()) return 0;
  if (!info[i].IsNumber()) throw NativeError("ERR_INVALID_ARGUMENT", "previewWidth must be a number");
  double w = info[i].As<Napi::Number>().DoubleValue();
  if (!(w >= 0 && w <= 65536)) throw NativeError("ERR_INVALID_ARGUMENT", "previewWidth must be in 0..65536");
  return w;
}

inline Napi::Value F32ToJs(Napi::Env env, std::vector<float>& v) { return ToTypedArray(env, std::move(v)); }
inline Napi::Value U8ToJs(Napi::Env env, std::vector<uint8_t>& v) { return ToTypedArray(env, std::move(v)); }

}  // namespace imgproc
}  // namespace rsna
