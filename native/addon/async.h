// One AsyncWorker per long call, resolving a Promise. Execute() runs the job on the libuv pool and
// never touches JS; the result is converted in OnOK(). Exceptions become rejections with `code`.
#pragma once
#include <napi.h>
#include <functional>
#include <memory>
#include <string>
#include "errors.h"

namespace rsna {

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message);

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Job = std::function<Result()>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&)>;

  PromiseWorker(Napi::Env env, Job job, ToJs to_js)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)), to_js_(std::move(to_js)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      result_ = std::make_unique<Result>(job_());
    } catch (const NativeError& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "ERR_OUT_OF_MEMORY";
      SetError("out of memory");
    } catch (const std::exception& e) {
      code_ = "ERR_NATIVE";
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    try {
      deferred_.Resolve(to_js_(env, *result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(MakeError(env, "ERR_NATIVE", e.what()).Value());
    }
  }

  void OnError(const Napi::Error& e) override {
    deferred_.Reject(MakeError(Env(), code_.empty() ? "ERR_NATIVE" : code_, e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Job job_;
  ToJs to_js_;
  std::unique_ptr<Result> result_;
  std::string code_;
};

// Synchronous callbacks must throw Napi::Error: a NativeError escaping one would not be converted by
// node-addon-api. Guarded runs the body and rethrows NativeError as a JS Error with its `code`, the same
// shape as an async rejection.
template <typename Fn>
Napi::Value Guarded(Napi::Env env, Fn&& fn) {
  try {
    return fn();
  } catch (const NativeError& e) {
    throw MakeError(env, e.code(), e.what());
  }
}

// Guarded as a plain callback, for `Napi::Function::New(env, Guarded<MyBinding>)`.
template <Napi::Value (*Binding)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&] { return Binding(info); });
}

// Queues `job` on the thread pool and returns the promise of its converted result.
template <typename Result>
Napi::Promise RunAsync(Napi::Env env, std::function<Result()> job,
                       std::function<Napi::Value(Napi::Env, Result&)> to_js) {
  auto* worker = new PromiseWorker<Result>(env, std::move(job), std::move(to_js));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// Copies a JS typed array's bytes into an owned buffer (the JS side may be collected meanwhile).
template <typename T>
std::vector<T> CopyTypedArray(const Napi::TypedArrayOf<T>& array) {
  return std::vector<T>(array.Data(), array.Data() + array.ElementLength());
}

}  // namespace rsna
