// Synchronous N-API callbacks must throw Napi::Error: a NativeError escaping a callback would not be
// converted by node-addon-api. Guarded(env, fn) runs fn and rethrows NativeError with its code.
#pragma once
#include <napi.h>
#include "addon/async.h"
#include "addon/errors.h"

namespace rsna {

template <typename Fn>
Napi::Value Guarded(Napi::Env env, Fn&& fn) {
  try {
    return fn();
  } catch (const NativeError& e) {
    throw MakeError(env, e.code(), e.what());
  }
}

}  // namespace rsna
