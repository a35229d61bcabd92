// N-API surface of the TensorRT unit (compiled only with TensorRT headers):
//   tensorrtBuildEngine(options) → Promise<{ bytes, timingCacheWritten }>   (writes options.outPath)
//   tensorrtLoadEngine(path, { maxContexts }) → Promise<TensorRtEngine>
//   engine.tensors, engine.dispose(),
//   engine.run({ name: { dims, data: Float32Array } | { location: 'cuda', address: BigInt, dims } })
//     → Promise<{ name: { dims, data: Float32Array } }>   (device feeds are bound in place, never copied)
// Everything heavy runs on the libuv pool (rsna::RunAsync); inputs are copied before going async.
#include <napi.h>
#include <fstream>
#include <iterator>
#include "addon/async.h"
#include "addon/instance_data.h"
#include "addon/registry.h"
#include "trt/engine_builder.h"
#include "trt/engine_runtime.h"

namespace rsna {
namespace {

std::vector<int64_t> ToInt64s(const Napi::Value& v, const std::string& what) {
  if (!v.IsArray()) throw NativeError("ERR_INVALID_ARGUMENT", what + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).As<Napi::Number>().Int64Value());
  return out;
}

Napi::Array FromInt64s(Napi::Env env, const std::vector<int64_t>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(v[i])));
  return a;
}

std::string StringProp(const Napi::Object& o, const char* key, bool required) {
  Napi::Value v = o.Get(key);
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (required) throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be a string");
  return "";
}

Napi::Value BuildEngine(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw NativeError("ERR_INVALID_ARGUMENT", "tensorrtBuildEngine(options) needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  trt::BuildOptions options;
  options.onnxPath = StringProp(o, "onnxPath", true);
  std::string outPath = StringProp(o, "outPath", true);
  options.timingCachePath = StringProp(o, "timingCachePath", false);
  options.fp16 = o.Get("fp16").ToBoolean();
  options.tf32 = o.Get("tf32").ToBoolean();
  if (o.Get("workspaceBytes").IsNumber()) options.workspaceBytes = o.Get("workspaceBytes").As<Napi::Number>().Int64Value();
  if (o.Get("profiles").IsObject()) {
    Napi::Object profiles = o.Get("profiles").As<Napi::Object>();
    Napi::Array names = profiles.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      Napi::Object p = profiles.Get(name).As<Napi::Object>();
      options.profiles[name] = {ToInt64s(p.Get("min"), name + ".min"), ToInt64s(p.Get("opt"), name + ".opt"),
                                ToInt64s(p.Get("max"), name + ".max")};
    }
  }
  struct Built { size_t bytes; bool cache; };
  return RunAsync<Built>(
      env,
      [options, outPath]() {
        trt::BuildResult r = trt::BuildEngine(options);
        std::ofstream out(outPath, std::ios::binary | std::ios::trunc);
        out.write(r.plan.data(), static_cast<std::streamsize>(r.plan.size()));
        if (!out) throw NativeError("ERR_WRITE", outPath + ": cannot write the engine file");
        return Built{r.plan.size(), r.timingCacheWritten};
      },
      [](Napi::Env env, Built& b) -> Napi::Value {
        Napi::Object result = Napi::Object::New(env);
        result.Set("bytes", Napi::Number::New(env, static_cast<double>(b.bytes)));
        result.Set("timingCacheWritten", b.cache);
        return result;
      });
  });
}

// JS handle of a loaded engine; runs hold a shared_ptr so dispose() during a run is safe.
class EngineHandle : public Napi::ObjectWrap<EngineHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TensorRtEngine",
                       {InstanceMethod("run", &EngineHandle::Run), InstanceMethod("dispose", &EngineHandle::Dispose),
                        InstanceAccessor("tensors", &EngineHandle::Tensors, nullptr)});
  }

  explicit EngineHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineHandle>(info) {}
  void Attach(std::shared_ptr<trt::Engine> engine) { engine_ = std::move(engine); }

 private:
  std::shared_ptr<trt::Engine> Require(Napi::Env env) const {
    if (!engine_) throw NativeError("ERR_TRT_DISPOSED", "the TensorRT engine was disposed");
    (void)env;
    return engine_;
  }

  Napi::Value Tensors(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto engine = Require(env);
    Napi::Array out = Napi::Array::New(env);
    uint32_t i = 0;
    for (const trt::TensorInfo& t : engine->Tensors()) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", t.name);
      o.Set("isInput", t.isInput);
      o.Set("dataType", t.dataType);
      o.Set("dims", FromInt64s(env, t.dims));
      o.Set("minDims", FromInt64s(env, t.minDims));
      o.Set("maxDims", FromInt64s(env, t.maxDims));
      out.Set(i++, o);
    }
    return out;
    });
  }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto engine = Require(env);
    if (!info[0].IsObject()) throw NativeError("ERR_INVALID_ARGUMENT", "run(feeds) needs an object of named tensors");
    Napi::Object feeds = info[0].As<Napi::Object>();
    std::map<std::string, trt::InputTensor> inputs;
    Napi::Array names = feeds.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      Napi::Object tensor = feeds.Get(name).As<Napi::Object>();
      if (tensor.Get("location").IsString() && tensor.Get("location").As<Napi::String>().Utf8Value() == "cuda") {
        Napi::Value address = tensor.Get("address");
        bool lossless = false;
        uint64_t device = address.IsBigInt() ? address.As<Napi::BigInt>().Uint64Value(&lossless) : 0;
        if (!lossless || device == 0) throw NativeError("ERR_INVALID_ARGUMENT", "feed \"" + name + "\" needs address: a non-zero BigInt");
        trt::InputTensor input;
        input.dims = ToInt64s(tensor.Get("dims"), name + ".dims");
        input.device = device;
        inputs[name] = std::move(input);
        continue;
      }
      Napi::Value data = tensor.Get("data");
      if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw NativeError("ERR_INVALID_ARGUMENT", "feed \"" + name + "\" needs data: Float32Array");
      }
      inputs[name] = {ToInt64s(tensor.Get("dims"), name + ".dims"), CopyTypedArray(data.As<Napi::Float32Array>()), 0};
    }
    using Outputs = std::map<std::string, trt::HostTensor>;
    return RunAsync<Outputs>(
        env, [engine, inputs]() { return engine->Run(inputs); },
        [](Napi::Env env, Outputs& outputs) -> Napi::Value {
          Napi::Object result = Napi::Object::New(env);
          for (auto& [name, tensor] : outputs) {
            Napi::Float32Array data = Napi::Float32Array::New(env, tensor.data.size());
            std::copy(tensor.data.begin(), tensor.data.end(), data.Data());
            Napi::Object o = Napi::Object::New(env);
            o.Set("dims", FromInt64s(env, tensor.dims));
            o.Set("data", data);
            result.Set(name, o);
          }
          return result;
        });
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    engine_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<trt::Engine> engine_;
};

Napi::Value LoadEngine(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw NativeError("ERR_INVALID_ARGUMENT", "tensorrtLoadEngine(path) needs a path");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int maxContexts = 2;
  if (info[1].IsObject() && info[1].As<Napi::Object>().Get("maxContexts").IsNumber()) {
    maxContexts = info[1].As<Napi::Object>().Get("maxContexts").As<Napi::Number>().Int32Value();
  }
  using Loaded = std::shared_ptr<trt::Engine>;
  return RunAsync<Loaded>(
      env,
      [path, maxContexts]() {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw NativeError("ERR_FILE_NOT_FOUND", path + ": cannot open the engine file");
        std::vector<char> plan((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return std::make_shared<trt::Engine>(plan, maxContexts);
      },
      [](Napi::Env env, Loaded& engine) -> Napi::Value {
        Napi::Object handle = NewInstance(env, "TensorRtEngine");
        EngineHandle::Unwrap(handle)->Attach(engine);
        (void)env;
        return handle;
      });
  });
}

void InitTensorrt(Napi::Env env, Napi::Object exports) {
  SetConstructor(env, "TensorRtEngine", EngineHandle::Define(env));
  exports.Set("tensorrtBuildEngine", Napi::Function::New(env, BuildEngine, "tensorrtBuildEngine"));
  exports.Set("tensorrtLoadEngine", Napi::Function::New(env, LoadEngine, "tensorrtLoadEngine"));
}

}  // namespace

RSNA_REGISTER_MODULE(tensorrt, InitTensorrt);

}  // namespace rsna
