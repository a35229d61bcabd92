// N-API surface of the GPU-resident one-image pipeline (gpu_image.h), CUDA addon only:
//   cudaImageUpload(raw: Int16Array, rows, cols) → Promise<CudaImage>
//   image.detectorInput(invert, size = 416) → Promise<{ tensor, ratio, resizedHeight, resizedWidth }>
//   image.classifierInput(box, window, invert, outRows = 2048, outCols = 1024, tensor = 'none'|'float255'|'normalized')
//     → Promise<{ pixels: Uint8Array, tensor?: Float32Array }>
//   image.dispose()
//   cudaPreprocessImage(raw, rows, cols, box, window, invert) → Promise<{ detector, classifier }> (one shot)
// Arguments are those of the CPU imgproc functions (imgproc/napi_args.h), so results compare directly.
#include <napi.h>
#include <memory>
#include "addon/async.h"
#include "addon/instance_data.h"
#include "addon/registry.h"
#include "cuda_addon/gpu_image.h"
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

class CudaImage : public Napi::ObjectWrap<CudaImage> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaImage",
                       {InstanceMethod("detectorInput", &CudaImage::Detector),
                        InstanceMethod("classifierInput", &CudaImage::Classifier),
                        InstanceMethod("dispose", &CudaImage::Dispose)});
  }
  explicit CudaImage(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CudaImage>(info) {}
  void Attach(std::shared_ptr<GpuImage> image) { image_ = std::move(image); }

 private:
  std::shared_ptr<GpuImage> Image() const {
    if (!image_) throw NativeError("ERR_DISPOSED", "the CUDA image was disposed");
    return image_;
  }

  Napi::Value Detector(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      auto image = Image();
      bool invert = info[0].ToBoolean().Value();
      int32_t size = OptionalInt(info, 1, 416, "size");
      return RunAsync<DetectorInputResult>(info.Env(), [image, invert, size]() { return image->DetectorInput(invert, size); },
                                           [](Napi::Env env, DetectorInputResult& r) -> Napi::Value { return DetectorToJs(env, r); });
    });
  }

  Napi::Value Classifier(const Napi::CallbackInfo& info) {
    return Guarded(info.Env(), [&]() -> Napi::Value {
      auto image = Image();
      imgproc::Box box = imgproc::ArgBox(info, 0);
      imgproc::WindowSpec window = imgproc::ArgWindow(info, 1);
      bool invert = info[2].ToBoolean().Value();
      int32_t rows = OptionalInt(info, 3, 2048, "outRows"), cols = OptionalInt(info, 4, 1024, "outCols");
      TensorMode mode = ArgTensorMode(info, 5);
      return RunAsync<ClassifierInputResult>(
          info.Env(), [=]() { return image->ClassifierInput(box, window, invert, rows, cols, mode); },
          [](Napi::Env env, ClassifierInputResult& r) -> Napi::Value { return ClassifierToJs(env, r); });
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    image_.reset();  // device memory is freed when the last in-flight job drops its reference
    return info.Env().Undefined();
  }

  std::shared_ptr<GpuImage> image_;
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

void InitGpuImage(Napi::Env env, Napi::Object exports) {
  SetConstructor(env, "CudaImage", CudaImage::Define(env));
  exports.Set("cudaImageUpload", Napi::Function::New(env, Upload, "cudaImageUpload"));
  exports.Set("cudaPreprocessImage", Napi::Function::New(env, PreprocessImage, "cudaPreprocessImage"));
}

}  // namespace

RSNA_REGISTER_MODULE(gpu_image, InitGpuImage);

}  // namespace gpu
}  // namespace rsna
