// Argument conversion shared by the CPU binding (imgproc_napi.cc) and the CUDA binding
// (imgproc_cuda.cpp), so both addons accept exactly the same JS arguments. JS validates first
// (lib/preprocess); these checks only keep bad calls from reaching the kernels.
#pragma once
#include <napi.h>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

inline int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw NativeError("ERR_INVALID_ARG", std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 2147483647.0) || v != static_cast<double>(static_cast<int64_t>(v))) {
    throw NativeError("ERR_INVALID_ARG", std::string(name) + " must be a non-negative integer");
  }
  return static_cast<int32_t>(v);
}

// Copies a typed array of element type T whose length must be rows*cols (taken before going async).
template <typename T>
std::vector<T> ArgPixels(const Napi::CallbackInfo& info, size_t i, int32_t rows, int32_t cols, const char* name) {
  size_t n = PixelCount(rows, cols, sizeof(T));
  Napi::TypedArrayOf<T> a = info[i].As<Napi::TypedArrayOf<T>>();
  if (a.ElementLength() != n) {
    throw NativeError("ERR_INVALID_ARG", std::string(name) + " has " + std::to_string(a.ElementLength()) +
                                             " elements, expected rows*cols = " + std::to_string(n));
  }
  return std::vector<T>(a.Data(), a.Data() + n);
}

inline Box ArgBox(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray() || info[i].As<Napi::Array>().Length() != 4) {
    throw NativeError("ERR_INVALID_ARG", "box must be [x0, y0, x1, y1]");
  }
  Napi::Array a = info[i].As<Napi::Array>();
  int32_t v[4];
  for (uint32_t k = 0; k < 4; ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw NativeError("ERR_INVALID_ARG", "box coordinates must be integers");
    double d = e.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 2147483647.0) || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw NativeError("ERR_INVALID_ARG", "box coordinates must be non-negative integers");
    }
    v[k] = static_cast<int32_t>(d);
  }
  return Box{v[0], v[1], v[2], v[3]};
}

// {func: 'LINEAR'|'LINEAR_EXACT'|'SIGMOID'|'NONE', center, width, fp16}
inline WindowSpec ArgWindow(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsObject()) throw NativeError("ERR_INVALID_ARG", "window must be an object");
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

}  // namespace imgproc
}  // namespace rsna
