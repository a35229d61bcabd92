// N-API surface of the libtorch inference addon (build-torch/rsna_mammo_torch.node):
//   info() → { torchVersion, cuda, cudaAvailable, deviceCount, cudaVersion, cudnnVersion, devices }
//   loadModel(spec) → Promise<TorchModel>      (spec: lib/runtime/libtorch_addon.ts LibtorchModelSpec)
//   model.run(feed) → Promise<{ data: Float32Array, dims }>   feed: { data: Float32Array, dims } on the
//       host, or { address: bigint, deviceId, dims } in CUDA memory (consumed in place, no host copy)
//   model.dispose(), model.device
// Loading and running happen on the libuv pool (rsna::RunAsync); the JS arrays they read are kept
// alive by references released on the JS thread. libtorch errors become JS errors with a code.
#include <napi.h>

#include <cstring>
#include <memory>

#include "addon/async.h"
#include "infer_torch/infer_model.h"

namespace rsna {

// The CPU addon defines this in addon/addon.cc, which this addon does not link (it has its own module init).
Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("code", Napi::String::New(env, code));
  return error;
}

namespace infer_torch {
namespace {

// Runs `fn`, turning libtorch's c10::Error into a NativeError with a code (out of memory apart).
template <typename Fn>
auto TorchGuard(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const c10::Error& e) {
    std::string message = e.what_without_backtrace();
    const bool oom = message.find("out of memory") != std::string::npos;
    throw NativeError(oom ? "ERR_GPU_OUT_OF_MEMORY" : "ERR_TORCH", "libtorch: " + message.substr(0, message.find('\n')));
  }
}

Napi::Object ObjectArg(const Napi::Value& v, const std::string& what) {
  if (!v.IsObject()) throw NativeError("ERR_INVALID_ARGUMENT", what + " must be an object");
  return v.As<Napi::Object>();
}

int64_t IntProp(const Napi::Object& o, const char* key, int64_t lo, int64_t hi) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int64_t>(d);
}

double NumberProp(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

std::string StringProp(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsString()) throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> DimsProp(const Napi::Object& o, const std::string& what, size_t max_rank) {
  Napi::Value v = o.Get("dims");
  if (!v.IsArray()) throw NativeError("ERR_INVALID_ARGUMENT", what + ".dims must be an array");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > max_rank) throw NativeError("ERR_INVALID_ARGUMENT", what + ".dims has more than " + std::to_string(max_rank) + " entries");
  std::vector<int64_t> dims;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value d = a.Get(i);
    double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1;
    if (!(x >= 0 && x <= (1 << 30)) || x != static_cast<double>(static_cast<int64_t>(x))) {
      throw NativeError("ERR_INVALID_ARGUMENT", what + ".dims must hold integers 0..2^30");
    }
    dims.push_back(static_cast<int64_t>(x));
  }
  return dims;
}

// Elements of `dims`, checked against overflow and the allocation limit before anything is allocated.
size_t Elements(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n = CheckedBytes(n, static_cast<size_t>(d), 1, size_t(1) << 40);
  CheckedBytes(n, sizeof(float));  // at most 8 GiB of float32
  return n;
}

std::vector<int64_t> IntArrayProp(const Napi::Object& o, const char* key, size_t count) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray() || v.As<Napi::Array>().Length() != count) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be an array of " + std::to_string(count) + " integers");
  }
  std::vector<int64_t> out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < count; ++i) {
    Napi::Value x = a.Get(i);
    if (!x.IsNumber() || x.As<Napi::Number>().Int64Value() < 1 || x.As<Napi::Number>().Int64Value() > 100000) {
      throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " entries must be integers 1..100000");
    }
    out.push_back(x.As<Napi::Number>().Int64Value());
  }
  return out;
}

std::vector<float> FloatArrayProp(const Napi::Object& o, const char* key, size_t count) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      v.As<Napi::Float32Array>().ElementLength() != count) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(key) + " must be a Float32Array of " + std::to_string(count));
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  return std::vector<float>(a.Data(), a.Data() + count);
}

// Reads one fold's [{ name, dims, data }] (pointers into JS memory, kept alive by the caller).
std::vector<NamedWeight> WeightsOf(const Napi::Value& v, size_t fold) {
  const std::string what = "folds[" + std::to_string(fold) + "]";
  if (!v.IsArray()) throw NativeError("ERR_INVALID_ARGUMENT", what + " must be an array of { name, dims, data }");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > 100000) throw NativeError("ERR_INVALID_ARGUMENT", what + " has too many weights");
  std::vector<NamedWeight> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Object w = ObjectArg(a.Get(i), what + " entry");
    NamedWeight nw;
    nw.name = StringProp(w, "name", "");
    nw.dims = DimsProp(w, what + "." + nw.name, 8);
    Napi::Value data = w.Get("data");
    if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw NativeError("ERR_INVALID_ARGUMENT", what + "." + nw.name + ".data must be a Float32Array");
    }
    Napi::Float32Array f = data.As<Napi::Float32Array>();
    nw.data = f.Data();
    nw.length = f.ElementLength();
    if (Elements(nw.dims) != nw.length) {
      throw NativeError("ERR_INVALID_ARGUMENT", what + "." + nw.name + ": dims and data length disagree");
    }
    out.push_back(std::move(nw));
  }
  return out;
}

ModelSpec SpecOf(const Napi::Object& o) {
  ModelSpec spec;
  const std::string kind = StringProp(o, "kind", "");
  Napi::Value folds = o.Get("folds");
  if (!folds.IsArray() || folds.As<Napi::Array>().Length() < 1 || folds.As<Napi::Array>().Length() > 64) {
    throw NativeError("ERR_INVALID_ARGUMENT", "folds must be an array of 1..64 weight lists");
  }
  if (kind == "ensemble") {
    spec.kind = ModelSpec::Kind::kEnsemble;
    Napi::Object c = ObjectArg(o.Get("convnext"), "convnext");
    spec.convnext.depths = IntArrayProp(c, "depths", 4);
    spec.convnext.dims = IntArrayProp(c, "dims", 4);
    spec.convnext.in_chans = IntProp(c, "inChans", 1, 64);
    spec.convnext.num_classes = IntProp(c, "numClasses", 1, 100000);
    spec.mean255 = FloatArrayProp(o, "mean255", 3);
    spec.std255 = FloatArrayProp(o, "std255", 3);
  } else if (kind == "yolox") {
    spec.kind = ModelSpec::Kind::kYolox;
    Napi::Object c = ObjectArg(o.Get("yolox"), "yolox");
    spec.yolox.depth = NumberProp(c, "depth");
    spec.yolox.width = NumberProp(c, "width");
    spec.yolox.depthwise = c.Get("depthwise").ToBoolean();
    spec.yolox.num_classes = IntProp(c, "numClasses", 1, 100000);
    spec.yolox.bn_eps = NumberProp(c, "bnEps");
    if (!(spec.yolox.depth > 0 && spec.yolox.depth <= 4) || !(spec.yolox.width > 0 && spec.yolox.width <= 4) ||
        !(spec.yolox.bn_eps > 0 && spec.yolox.bn_eps < 1)) {
      throw NativeError("ERR_INVALID_ARGUMENT", "yolox depth/width must be in (0, 4] and bnEps in (0, 1)");
    }
  } else {
    throw NativeError("ERR_INVALID_ARGUMENT", "kind must be 'ensemble' or 'yolox'");
  }
  Napi::Array fa = folds.As<Napi::Array>();
  for (uint32_t k = 0; k < fa.Length(); ++k) spec.weights.push_back(WeightsOf(fa.Get(k), k));
  return spec;
}

RunOptions OptionsOf(const Napi::Object& o) {
  RunOptions r;
  r.device = StringProp(o, "device", "cpu");
  r.precision = ParsePrecision(StringProp(o, "precision", "fp32"));
  r.channels_last = o.Get("channelsLast").ToBoolean();
  r.cuda_graphs = o.Get("cudaGraphs").ToBoolean();
  if (!o.Get("threads").IsUndefined()) r.threads = static_cast<int>(IntProp(o, "threads", 0, 1024));
  return r;
}

// JS arrays a job reads in place; released (on the JS thread) with the worker that holds the job.
using Keep = std::shared_ptr<Napi::ObjectReference>;
Keep KeepAlive(const Napi::Object& o) { return std::make_shared<Napi::ObjectReference>(Napi::Persistent(o)); }

class TorchModel : public Napi::ObjectWrap<TorchModel> {
 public:
  static Napi::FunctionReference* constructor;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TorchModel", {
      InstanceMethod("run", &TorchModel::RunJs),
      InstanceMethod("dispose", &TorchModel::Dispose),
      InstanceAccessor("device", &TorchModel::Device, nullptr),
    });
  }

  explicit TorchModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TorchModel>(info) {}

  void Attach(std::shared_ptr<InferModel> model) { model_ = std::move(model); }

 private:
  Napi::Value Device(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), model_ ? model_->device().str() : "disposed");
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    model_.reset();  // a run in flight holds its own reference
    return info.Env().Undefined();
  }

  Napi::Value RunJs(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      if (!model_) throw NativeError("ERR_SESSION_DISPOSED", "the libtorch model was disposed");
      Napi::Object feed = ObjectArg(info[0], "feed");
      std::vector<int64_t> dims = DimsProp(feed, "feed", 4);
      if (dims.size() != 4) throw NativeError("ERR_INFER_SHAPE", "feed.dims must be [N, 3, H, W]");
      const size_t elements = Elements(dims);
      std::shared_ptr<InferModel> model = model_;
      Keep keep = KeepAlive(feed);
      std::function<torch::Tensor()> job;
      if (feed.Get("address").IsBigInt()) {
        bool lossless = false;
        const uint64_t address = feed.Get("address").As<Napi::BigInt>().Uint64Value(&lossless);
        const int64_t device_id = IntProp(feed, "deviceId", 0, 1023);
        if (!lossless || address == 0) throw NativeError("ERR_INVALID_ARGUMENT", "feed.address must be a non-null device address");
        if (!model->device().is_cuda()) throw NativeError("ERR_INVALID_ARGUMENT", "a device feed needs a model on a CUDA device");
        job = [model, keep, address, device_id, dims]() {
          return TorchGuard([&] {
            // The producer synchronised its stream before handing the tensor over (lib/runtime/types.ts).
            torch::Tensor input = torch::from_blob(reinterpret_cast<void*>(static_cast<uintptr_t>(address)), dims,
                                                   torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCUDA, device_id));
            return model->Run(input);
          });
        };
      } else {
        Napi::Value data = feed.Get("data");
        if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
          throw NativeError("ERR_INVALID_ARGUMENT", "feed.data must be a Float32Array (or feed a DeviceTensor)");
        }
        Napi::Float32Array f = data.As<Napi::Float32Array>();
        if (f.ElementLength() != elements) {
          throw NativeError("ERR_INFER_SHAPE", "feed has " + std::to_string(f.ElementLength()) + " values but dims hold " + std::to_string(elements));
        }
        float* ptr = f.Data();
        job = [model, keep, ptr, dims]() {
          return TorchGuard([&] { return model->Run(torch::from_blob(ptr, dims, torch::kFloat32)); });
        };
      }
      return RunAsync<torch::Tensor>(info.Env(), std::move(job), [](Napi::Env env, torch::Tensor& out) -> Napi::Value {
        Napi::Float32Array data = Napi::Float32Array::New(env, static_cast<size_t>(out.numel()));
        std::memcpy(data.Data(), out.data_ptr<float>(), static_cast<size_t>(out.numel()) * sizeof(float));
        Napi::Array dims = Napi::Array::New(env, out.dim());
        for (int64_t i = 0; i < out.dim(); ++i) dims.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(out.size(i))));
        Napi::Object result = Napi::Object::New(env);
        result.Set("data", data);
        result.Set("dims", dims);
        return result;
      });
    });
  }

  std::shared_ptr<InferModel> model_;
};

Napi::FunctionReference* TorchModel::constructor = nullptr;

Napi::Value LoadModel(const Napi::CallbackInfo& info) {
  Napi::Object o = ObjectArg(info[0], "loadModel(spec)");
  ModelSpec spec = SpecOf(o);
  RunOptions options = OptionsOf(o);
  Keep keep = KeepAlive(o);
  return RunAsync<std::shared_ptr<InferModel>>(
      info.Env(),
      [spec, options, keep]() { return TorchGuard([&] { return std::make_shared<InferModel>(spec, options); }); },
      [](Napi::Env env, std::shared_ptr<InferModel>& model) -> Napi::Value {
        Napi::Object js = TorchModel::constructor->New({});
        TorchModel::Unwrap(js)->Attach(model);
        return js;
      });
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TorchInfo t = QueryTorchInfo();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", t.torch_version);
  o.Set("cuda", t.compiled_with_cuda);
  o.Set("cudaAvailable", t.cuda_available);
  o.Set("deviceCount", Napi::Number::New(env, static_cast<double>(t.device_count)));
  o.Set("cudaVersion", Napi::Number::New(env, static_cast<double>(t.cuda_version)));
  o.Set("cudnnVersion", Napi::Number::New(env, static_cast<double>(t.cudnn_version)));
  Napi::Array names = Napi::Array::New(env, t.device_names.size());
  for (size_t i = 0; i < t.device_names.size(); ++i) names.Set(static_cast<uint32_t>(i), t.device_names[i]);
  o.Set("devices", names);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  TorchModel::constructor = new Napi::FunctionReference(Napi::Persistent(TorchModel::Define(env)));
  exports.Set("info", Napi::Function::New(env, Guarded<Info>));
  exports.Set("loadModel", Napi::Function::New(env, Guarded<LoadModel>));
  return exports;
}

}  // namespace
}  // namespace infer_torch
}  // namespace rsna

static Napi::Object InitTorchAddon(Napi::Env env, Napi::Object exports) { return rsna::infer_torch::Init(env, exports); }
NODE_API_MODULE(rsna_mammo_torch, InitTorchAddon)
