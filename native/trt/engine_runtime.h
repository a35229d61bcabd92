// A deserialized TensorRT engine and its execution contexts: one context (with its own stream and
// device buffers) per concurrent run, created on demand up to a limit, tensors bound by name and
// executed with enqueueV3. Inputs are float32 host arrays or float32 device memory (bound in place,
// no copy: the GPU prepare stage's batch tensor, docs/GPU.md); outputs are float32 host arrays.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include "trt/trt_common.h"

namespace rsna {
namespace trt {

struct TensorInfo {
  std::string name;
  bool isInput = false;
  std::string dataType;          // "float32", "float16", "int32", ...
  std::vector<int64_t> dims;     // -1 for dynamic dimensions
  std::vector<int64_t> minDims;  // profile 0 min/max for inputs (equal to dims when static)
  std::vector<int64_t> maxDims;
};

struct HostTensor {
  std::vector<int64_t> dims;
  std::vector<float> data;
};

// One input: host data (copied to the context's buffer), or a device address on this GPU whose
// producer has finished writing it (bound as is; it must stay allocated until Run returns).
struct InputTensor {
  std::vector<int64_t> dims;
  std::vector<float> data;
  uint64_t device = 0;
};

class Engine {
 public:
  // Deserializes `plan`; throws ERR_TRT (e.g. a plan from another TensorRT version or GPU).
  Engine(const std::vector<char>& plan, int maxContexts);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::vector<TensorInfo>& Tensors() const { return tensors_; }
  // Runs once on a free execution context; safe to call from several threads at once.
  std::map<std::string, HostTensor> Run(const std::map<std::string, InputTensor>& inputs);

 private:
  struct Context;
  std::unique_ptr<Context> Acquire();
  void Release(std::unique_ptr<Context> context);
  void BindInput(Context& c, const TensorInfo& t, const InputTensor& value);

  UniquePtr<nvinfer1::IRuntime> runtime_;
  UniquePtr<nvinfer1::ICudaEngine> engine_;
  std::vector<TensorInfo> tensors_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Context>> idle_;
  int created_ = 0;
  int maxContexts_ = 1;
};

}  // namespace trt
}  // namespace rsna
