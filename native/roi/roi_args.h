// Small N-API argument readers shared by the CPU and CUDA bindings of the ROI area. The JS layer
// (lib/roi) validates arguments first; these checks only keep a wrong call from crashing the process.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "addon/async.h"
#include "addon/errors.h"

namespace rsna {
namespace roi {

inline Napi::Float32Array Float32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string("expected a Float32Array for ") + name);
  }
  return info[i].As<Napi::Float32Array>();
}

inline double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string("expected a number for ") + name);
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

inline int IntArg(const Napi::CallbackInfo& info, size_t i, const char* name, int min, int max) {
  const double v = NumberArg(info, i, name);
  if (!(v >= min && v <= max) || v != static_cast<double>(static_cast<long long>(v))) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string("expected an integer in [") + std::to_string(min) + ", " +
                                                  std::to_string(max) + "] for " + name);
  }
  return static_cast<int>(v);
}

template <typename T, typename Array>
Array ToTypedArray(Napi::Env env, const std::vector<T>& values) {
  Array out = Array::New(env, values.size());
  std::copy(values.begin(), values.end(), out.Data());
  return out;
}

}  // namespace roi
}  // namespace rsna
