// Shared pieces of the TensorRT unit (compiled only when TensorRT 10 headers are found): the one
// logger, RAII holders for TensorRT objects (TensorRT 10 objects are released with delete), and
// the factories that go through the dlopen'ed entry points (trt_library.h).
#pragma once
#include <NvInfer.h>
#include <NvOnnxParser.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "trt/trt_library.h"

namespace rsna {
namespace trt {

// Keeps warnings and errors; the last error becomes the message of a failed step.
class Logger : public nvinfer1::ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    if (severity > Severity::kWARNING) return;
    std::lock_guard<std::mutex> lock(mutex_);
    (severity <= Severity::kERROR ? lastError_ : lastWarning_) = msg ? msg : "";
  }
  std::string LastError() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lastError_.empty() ? lastWarning_ : lastError_;
  }

 private:
  mutable std::mutex mutex_;
  std::string lastError_;
  std::string lastWarning_;
};

// The process-wide logger (TensorRT requires it to outlive every object created with it).
inline Logger& SharedLogger() {
  static Logger logger;
  return logger;
}

template <typename T>
using UniquePtr = std::unique_ptr<T>;

// Throws ERR_TRT with the step and TensorRT's last message when `ok` is false.
inline void Require(bool ok, const std::string& step) {
  if (!ok) {
    std::string detail = SharedLogger().LastError();
    throw NativeError("ERR_TRT", step + " failed" + (detail.empty() ? "" : ": " + detail));
  }
}

template <typename T>
UniquePtr<T> Own(T* p, const std::string& step) {
  Require(p != nullptr, step);
  return UniquePtr<T>(p);
}

// The loaded library, or ERR_TENSORRT_MISSING with the reason.
inline const TrtLibrary& RequireLibrary(bool needParser) {
  const TrtLibrary& lib = LoadTrtLibrary();
  if (!lib.inferFound || (needParser && !lib.parserFound)) throw NativeError("ERR_TENSORRT_MISSING", lib.reason);
  return lib;
}

inline UniquePtr<nvinfer1::IBuilder> CreateBuilder() {
  const TrtLibrary& lib = RequireLibrary(true);
  // The library's own version: a 10.x library accepts it whatever minor the headers were.
  return Own(static_cast<nvinfer1::IBuilder*>(lib.createInferBuilder(&SharedLogger(), lib.version)),
             "createInferBuilder");
}

inline UniquePtr<nvinfer1::IRuntime> CreateRuntime() {
  const TrtLibrary& lib = RequireLibrary(false);
  return Own(static_cast<nvinfer1::IRuntime*>(lib.createInferRuntime(&SharedLogger(), lib.version)),
             "createInferRuntime");
}

inline UniquePtr<nvonnxparser::IParser> CreateParser(nvinfer1::INetworkDefinition& network) {
  const TrtLibrary& lib = RequireLibrary(true);
  int version = lib.getParserVersion ? lib.getParserVersion() : NV_ONNX_PARSER_VERSION;
  return Own(static_cast<nvonnxparser::IParser*>(lib.createOnnxParser(&network, &SharedLogger(), version)),
             "createNvOnnxParser");
}

inline std::vector<int64_t> ToVector(const nvinfer1::Dims& d) {
  return std::vector<int64_t>(d.d, d.d + (d.nbDims > 0 ? d.nbDims : 0));
}

inline nvinfer1::Dims ToDims(const std::vector<int64_t>& v) {
  if (v.size() > static_cast<size_t>(nvinfer1::Dims::MAX_DIMS)) throw NativeError("ERR_TRT_SHAPE", "too many dimensions");
  nvinfer1::Dims d{};
  d.nbDims = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) d.d[i] = v[i];
  return d;
}

}  // namespace trt
}  // namespace rsna
