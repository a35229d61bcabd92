// N-API surface of the GPU-resident one-image pipeline (gpu_image.h), CUDA addon only:
//   cudaImageUpload(raw: Int16Array, rows, cols) → Promise<CudaImage>
//   image.detectorInput(invert, size = 416) → Promise<{ tensor, ratio, resizedHeight, resizedWidth }>
//   image.classifierInput(box, window, invert, outRows = 2048, outCols = 1024, tensor = 'none'|'float255'|'normalized')
//     → Promise<{ pixels: Uint8Array, tensor?: Float32Array }>
//   image.classifierPlane(box, window, invert, outRows = 2048, outCols = 1024) → Promise<CudaPlane> (kept on the device)
//   image.dispose()
//   plane.height, plane.width, plane.download() → Promise<Uint8Array> (the one device→host copy), plane.dispose()
//   cudaBatchTensor() → CudaBatch: batch.fill([CudaPlane | Uint8Array, ...], height, width) → Promise<void>
//     (float32 [B,3,H,W] on the device, §3.1.4–3.1.5), batch.address (BigInt), batch.deviceId, batch.dims,
//     batch.download(into: Float32Array) → Promise<void>, batch.dispose()
//   cudaStagingInfo() → { chunkBytes, chunks, maxChunks } (pinned upload staging, pinned_staging.h)
//   cudaPreprocessImage(raw, rows, cols, box, window, invert) → Promise<{ detector, classifier }> (one shot)
// Arguments are those of the CPU imgproc functions (imgproc/napi_args.h), so results compare directly.
#include <napi.h>
#include <memory>
#include "addon/async.h"
#include "addon/instance_data.h"
#include "addon/registry.h"
#include "cuda_addon/gpu_image.h"
#include "cuda_addon/pinned_staging.h"
#include "imgproc/napi_args.h"

namespace rsna {
namespace gpu {
namespace {

using imgproc::ToTypedArray;

Napi::Object DetectorToJs(Napi::Env env, DetectorInputResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("tensor", ToTypedArray(env, std::move(r.tensor)));
  o.Set("ratio", r.ratio);
  o.Set("resizedHeight", r.resizedRows);
  o.Set("resizedWidth", r.resizedCols);
  o.Set("constant", r.constant);
  return o;
}

Napi::Object ClassifierToJs(Napi::Env env, ClassifierInputResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pixels", ToTypedArray(env, std::move(r.u8)));
  if (!r.tensor.empty()) o.Set("tensor", ToTypedArray(env, std::move(r.tensor)));
  return o;
}

TensorMode ArgTensorMode(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsUndefined()) return TensorMode::kNone;
  std::string s = info[i].ToString().Utf8Value();
  if (s == "none") return TensorMode::kNone;
  if (s == "float255") return TensorMode::kFloat255;
  if (s == "normalized") return TensorMode::kNormalized;
  throw NativeError("ERR_INVALID_ARGUMENT", "tensor must be 'none', 'float255' or 'normalized'");
}

int32_t OptionalInt(const Napi::CallbackInfo& info, size_t i, int32_t fallback, const char* name) {
  return info[i].IsUndefined() ? fallback : imgproc::ArgInt(info, i, name);
}

// A JS handle over a shared native object: jobs in flight hold their own reference, so dispose() (or
// collection) frees the object only when the last of them finishes.
template <typename Derived, typename T>
class SharedHandle : public Napi::ObjectWrap<Derived> {
 public:
  explicit SharedHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Derived>(info) {}
  void Attach(std::shared_ptr<T> object) { object_ = std::move(object); }
  // The object; ERR_DISPOSED after dispose().
  std::shared_ptr<T> Get() const {
    if (!object_) throw NativeError("ERR_DISPOSED", std::string(Derived::kName) + " was disposed");
    return object_;
  }

 protected:
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    object_.reset();
    return info.Env().Undefined();
  }

 private:
  std::shared_ptr<T> object_;
};

// A classifier input kept on the device (DevicePlane); freed on dispose() or when collected.
class CudaPlane : public SharedHandle<CudaPlane, DevicePlane> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaPlane",
                       {InstanceMethod("download", &CudaPlane::DownloadJs), InstanceMethod("dispose", &CudaPlane::Dispose),
                        InstanceAccessor("height", &CudaPlane::Height, nullptr),
                        InstanceAccessor("width", &CudaPlane::Width, nullptr)});
  }
  static constexpr const char* kName = "the classifier input on the GPU";
  explicit CudaPlane(const Napi::CallbackInfo& info) : SharedHandle(info) {}
  void AttachPlane(std::shared_ptr<DevicePlane> plane) {
    rows_ = plane->rows;
    cols_ = plane->cols;
    Attach(std::move(plane));
  }

 private:
  Napi::Value Height(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), rows_); }
  Napi::Value Width(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), cols_); }
  Napi::Value DownloadJs(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      std::shared_ptr<const DevicePlane> plane = Get();
      using U8 = std::vector<uint8_t>;
      return RunAsync<U8>(info.Env(), [plane]() { return plane->Download(); },
                          [](Napi::Env env, U8& u8) -> Napi::Value { return ToTypedArray(env, std::move(u8)); });
    });
  }
  int32_t rows_ = 0, cols_ = 0;
};

// The batch engine input on the device (DeviceBatch), reused from batch to batch.
class CudaBatch : public SharedHandle<CudaBatch, DeviceBatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaBatch",
                       {InstanceMethod("fill", &CudaBatch::Fill), InstanceMethod("download", &CudaBatch::DownloadJs),
                        InstanceMethod("dispose", &CudaBatch::Dispose),
                        InstanceAccessor("address", &CudaBatch::Address, nullptr),
                        InstanceAccessor("deviceId", &CudaBatch::DeviceId, nullptr),
                        InstanceAccessor("dims", &CudaBatch::Dims, nullptr)});
  }
  static constexpr const char* kName = "the GPU batch tensor";
  explicit CudaBatch(const Napi::CallbackInfo& info) : SharedHandle(info) {}

 private:
  Napi::Value Fill(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto batch = Get();
      if (!info[0].IsArray()) throw NativeError("ERR_INVALID_ARGUMENT", "fill(items) needs an array of CudaPlane or Uint8Array");
      int32_t rows = imgproc::ArgInt(info, 1, "height"), cols = imgproc::ArgInt(info, 2, "width");
      const size_t plane = imgproc::PixelCount(rows, cols, 4 * 3);
      Napi::Array array = info[0].As<Napi::Array>();
      Napi::Function planeClass = InstanceData(env).constructors.at("CudaPlane").Value();
      std::vector<DeviceBatch::Item> items(array.Length());
      std::vector<Napi::ObjectReference> hold;  // host items stay alive until the job is done
      for (uint32_t i = 0; i < array.Length(); ++i) {
        Napi::Value v = array.Get(i);
        if (v.IsObject() && v.As<Napi::Object>().InstanceOf(planeClass)) {
          items[i].plane = CudaPlane::Unwrap(v.As<Napi::Object>())->Get();
        } else if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array &&
                   v.As<Napi::Uint8Array>().ElementLength() == plane) {
          items[i].host = v.As<Napi::Uint8Array>().Data();
          hold.push_back(Napi::Persistent(v.As<Napi::Object>()));
        } else {
          throw NativeError("ERR_INFER_SHAPE", "batch item " + std::to_string(i) + " is neither a CudaPlane nor a Uint8Array of " +
                                                   std::to_string(rows) + "x" + std::to_string(cols));
        }
      }
      auto held = std::make_shared<std::vector<Napi::ObjectReference>>(std::move(hold));
      struct Done {};
      return RunAsync<Done>(
          env, [batch, items, rows, cols]() { batch->Fill(items, rows, cols); return Done{}; },
          [held](Napi::Env env, Done&) -> Napi::Value { held->clear(); return env.Undefined(); });
    });
  }

  Napi::Value DownloadJs(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      auto batch = Get();
      if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw NativeError("ERR_INVALID_ARGUMENT", "download(into) needs a Float32Array");
      }
      Napi::Float32Array into = info[0].As<Napi::Float32Array>();
      size_t count = 1;
      for (int64_t d : batch->Dims()) count *= static_cast<size_t>(d);
      if (batch->Dims().empty() || into.ElementLength() < count) {
        throw NativeError("ERR_INVALID_ARGUMENT", "download(into): the array is smaller than the batch (" + std::to_string(count) + " values)");
      }
      float* data = into.Data();
      auto keep = std::make_shared<Napi::ObjectReference>(Napi::Persistent(static_cast<Napi::Object>(into)));
      struct Done {};
      return RunAsync<Done>(
          info.Env(), [batch, data, count]() { batch->Download(data, count); return Done{}; },
          [keep](Napi::Env env, Done&) -> Napi::Value { keep->Reset(); return env.Undefined(); });
    });
  }

  Napi::Value Address(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value { return Napi::BigInt::New(info.Env(), Get()->Address()); });
  }
  Napi::Value DeviceId(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value { return Napi::Number::New(info.Env(), Get()->Device()); });
  }
  Napi::Value Dims(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      std::vector<int64_t> dims = Get()->Dims();
      Napi::Array a = Napi::Array::New(info.Env(), dims.size());
      for (size_t i = 0; i < dims.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(dims[i])));
      return a;
    });
  }
};

class CudaImage : public SharedHandle<CudaImage, GpuImage> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaImage",
                       {InstanceMethod("detectorInput", &CudaImage::Detector),
                        InstanceMethod("classifierInput", &CudaImage::Classifier),
                        InstanceMethod("classifierPlane", &CudaImage::ClassifierPlaneJs),
                        InstanceMethod("dispose", &CudaImage::Dispose)});
  }
  static constexpr const char* kName = "the CUDA image";
  explicit CudaImage(const Napi::CallbackInfo& info) : SharedHandle(info) {}

 private:
  Napi::Value Detector(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      auto image = Get();
      bool invert = info[0].ToBoolean().Value();
      int32_t size = OptionalInt(info, 1, 416, "size");
      return RunAsync<DetectorInputResult>(info.Env(), [image, invert, size]() { return image->DetectorInput(invert, size); },
                                           [](Napi::Env env, DetectorInputResult& r) -> Napi::Value { return DetectorToJs(env, r); });
    });
  }

  // (box, window, invert, outRows = 2048, outCols = 1024) of classifierInput / classifierPlane.
  struct ClassifierArgs {
    imgproc::Box box;
    imgproc::WindowSpec window;
    bool invert;
    int32_t rows, cols;
  };
  static ClassifierArgs ArgClassifier(const Napi::CallbackInfo& info) {
    return {imgproc::ArgBox(info, 0), imgproc::ArgWindow(info, 1), info[2].ToBoolean().Value(),
            OptionalInt(info, 3, 2048, "outRows"), OptionalInt(info, 4, 1024, "outCols")};
  }

  Napi::Value Classifier(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      auto image = Get();
      const ClassifierArgs a = ArgClassifier(info);
      TensorMode mode = ArgTensorMode(info, 5);
      return RunAsync<ClassifierInputResult>(
          info.Env(), [=]() { return image->ClassifierInput(a.box, a.window, a.invert, a.rows, a.cols, mode); },
          [](Napi::Env env, ClassifierInputResult& r) -> Napi::Value { return ClassifierToJs(env, r); });
    });
  }

  Napi::Value ClassifierPlaneJs(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      auto image = Get();
      const ClassifierArgs a = ArgClassifier(info);
      using Plane = std::shared_ptr<DevicePlane>;
      return RunAsync<Plane>(
          info.Env(), [=]() { return image->ClassifierPlane(a.box, a.window, a.invert, a.rows, a.cols); },
          [](Napi::Env env, Plane& plane) -> Napi::Value {
            Napi::Object handle = NewInstance(env, "CudaPlane");
            CudaPlane::Unwrap(handle)->AttachPlane(plane);
            return handle;
          });
    });
  }
};

Napi::Value Upload(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    int32_t rows = imgproc::ArgInt(info, 1, "rows"), cols = imgproc::ArgInt(info, 2, "cols");
    auto raw = imgproc::ArgPixels<int16_t>(info, 0, rows, cols, "raw");
    using Handle = std::shared_ptr<GpuImage>;
    return RunAsync<Handle>(
        info.Env(), [raw, rows, cols]() { return std::make_shared<GpuImage>(raw->data(), rows, cols); },
        [](Napi::Env env, Handle& image) -> Napi::Value {
          Napi::Object handle = NewInstance(env, "CudaImage");
          CudaImage::Unwrap(handle)->Attach(image);
          return handle;
        });
  });
}

struct OneShot {
  DetectorInputResult detector;
  ClassifierInputResult classifier;
};

Napi::Value PreprocessImage(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    int32_t rows = imgproc::ArgInt(info, 1, "rows"), cols = imgproc::ArgInt(info, 2, "cols");
    auto raw = imgproc::ArgPixels<int16_t>(info, 0, rows, cols, "raw");
    imgproc::Box box = imgproc::ArgBox(info, 3);
    imgproc::WindowSpec window = imgproc::ArgWindow(info, 4);
    bool invert = info[5].ToBoolean().Value();
    return RunAsync<OneShot>(
        info.Env(),
        [=]() {
          GpuImage image(raw->data(), rows, cols);
          OneShot r;
          r.detector = image.DetectorInput(invert, 416);
          r.classifier = image.ClassifierInput(box, window, invert, 2048, 1024, TensorMode::kNone);
          return r;
        },
        [](Napi::Env env, OneShot& r) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("detector", DetectorToJs(env, r.detector));
          o.Set("classifier", ClassifierToJs(env, r.classifier));
          return o;
        });
  });
}

Napi::Value BatchTensor(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&]() -> Napi::Value {
    Napi::Object handle = NewInstance(info.Env(), "CudaBatch");
    CudaBatch::Unwrap(handle)->Attach(std::make_shared<DeviceBatch>());
    return handle;
  });
}

Napi::Value StagingInfo(const Napi::CallbackInfo& info) {
  cuda::StagingStats s = cuda::PinnedStaging::Instance().Stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("chunkBytes", static_cast<double>(s.chunkBytes));
  o.Set("chunks", s.chunks);
  o.Set("maxChunks", s.maxChunks);
  return o;
}

void InitGpuImage(Napi::Env env, Napi::Object exports) {
  SetConstructor(env, "CudaImage", CudaImage::Define(env));
  SetConstructor(env, "CudaPlane", CudaPlane::Define(env));
  SetConstructor(env, "CudaBatch", CudaBatch::Define(env));
  exports.Set("cudaBatchTensor", Napi::Function::New(env, BatchTensor, "cudaBatchTensor"));
  exports.Set("cudaStagingInfo", Napi::Function::New(env, StagingInfo, "cudaStagingInfo"));
  exports.Set("cudaImageUpload", Napi::Function::New(env, Upload, "cudaImageUpload"));
  exports.Set("cudaPreprocessImage", Napi::Function::New(env, PreprocessImage, "cudaPreprocessImage"));
}

}  // namespace

RSNA_REGISTER_MODULE(gpu_image, InitGpuImage);

}  // namespace gpu
}  // namespace rsna
