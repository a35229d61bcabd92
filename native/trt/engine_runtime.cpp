// Engine: deserialize, describe I/O tensors, and run on a pooled execution context.
#include "trt/engine_runtime.h"
#include "cuda_addon/cuda_common.h"

namespace rsna {
namespace trt {
namespace {

const char* DataTypeName(nvinfer1::DataType t) {
  switch (t) {
    case nvinfer1::DataType::kFLOAT: return "float32";
    case nvinfer1::DataType::kHALF: return "float16";
    case nvinfer1::DataType::kINT8: return "int8";
    case nvinfer1::DataType::kINT32: return "int32";
    case nvinfer1::DataType::kBOOL: return "bool";
    case nvinfer1::DataType::kUINT8: return "uint8";
    case nvinfer1::DataType::kBF16: return "bfloat16";
    case nvinfer1::DataType::kINT64: return "int64";
    default: return "other";
  }
}

size_t ElementCount(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw NativeError("ERR_TRT_SHAPE", "unresolved dynamic dimension");
    n = CheckedBytes(n, static_cast<size_t>(d), 1, size_t(1) << 40);
  }
  return n;
}

}  // namespace

struct Engine::Context {
  UniquePtr<nvinfer1::IExecutionContext> context;
  cuda::Stream stream;
  std::map<std::string, cuda::DeviceBuffer<float>> buffers;
};

Engine::Engine(const std::vector<char>& plan, int maxContexts) : maxContexts_(maxContexts < 1 ? 1 : maxContexts) {
  runtime_ = CreateRuntime();
  engine_ = Own(runtime_->deserializeCudaEngine(plan.data(), plan.size()),
                "deserializeCudaEngine (an engine from another TensorRT version or GPU must be rebuilt)");
  for (int32_t i = 0; i < engine_->getNbIOTensors(); ++i) {
    TensorInfo t;
    t.name = engine_->getIOTensorName(i);
    t.isInput = engine_->getTensorIOMode(t.name.c_str()) == nvinfer1::TensorIOMode::kINPUT;
    t.dataType = DataTypeName(engine_->getTensorDataType(t.name.c_str()));
    t.dims = ToVector(engine_->getTensorShape(t.name.c_str()));
    t.minDims = t.maxDims = t.dims;
    if (t.isInput && engine_->getNbOptimizationProfiles() > 0) {
      nvinfer1::Dims lo = engine_->getProfileShape(t.name.c_str(), 0, nvinfer1::OptProfileSelector::kMIN);
      nvinfer1::Dims hi = engine_->getProfileShape(t.name.c_str(), 0, nvinfer1::OptProfileSelector::kMAX);
      if (lo.nbDims > 0) t.minDims = ToVector(lo);
      if (hi.nbDims > 0) t.maxDims = ToVector(hi);
    }
    if (t.dataType != std::string("float32")) {
      throw NativeError("ERR_TRT_DTYPE", "tensor \"" + t.name + "\" is " + t.dataType + "; only float32 I/O is supported");
    }
    tensors_.push_back(std::move(t));
  }
}

Engine::~Engine() {
  idle_.clear();  // contexts before the engine, the engine before the runtime
  engine_.reset();
  runtime_.reset();
}

std::unique_ptr<Engine::Context> Engine::Acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  freed_.wait(lock, [this] { return !idle_.empty() || created_ < maxContexts_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  ++created_;
  lock.unlock();
  try {
    auto c = std::make_unique<Context>();
    c->context = Own(engine_->createExecutionContext(), "createExecutionContext");
    return c;
  } catch (...) {
    std::lock_guard<std::mutex> relock(mutex_);
    --created_;
    freed_.notify_one();
    throw;
  }
}

void Engine::Release(std::unique_ptr<Context> context) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(context));
  freed_.notify_one();
}

// A device input must be device (or managed) memory of the current GPU: a host pointer or another
// GPU's memory would be read by the engine's kernels as garbage or fault.
void CheckDeviceInput(const std::string& name, uint64_t address) {
  cudaPointerAttributes attributes{};
  int current = 0;
  if (cudaPointerGetAttributes(&attributes, reinterpret_cast<const void*>(address)) != cudaSuccess ||
      cudaGetDevice(&current) != cudaSuccess ||
      (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged) || attributes.device != current) {
    cudaGetLastError();  // clear the query's error so it does not surface at the next check
    throw NativeError("ERR_INVALID_ARGUMENT", "input \"" + name + "\" is not device memory of GPU " + std::to_string(current));
  }
}

void Engine::BindInput(Context& c, const TensorInfo& t, const InputTensor& value) {
  if (value.dims.size() != t.dims.size()) {
    throw NativeError("ERR_TRT_SHAPE", "input \"" + t.name + "\" needs " + std::to_string(t.dims.size()) + " dimensions");
  }
  for (size_t i = 0; i < t.dims.size(); ++i) {
    if (value.dims[i] < t.minDims[i] || value.dims[i] > t.maxDims[i]) {
      throw NativeError("ERR_TRT_SHAPE", "input \"" + t.name + "\" dimension " + std::to_string(i) + " = " +
                                             std::to_string(value.dims[i]) + " is outside the engine's profile [" +
                                             std::to_string(t.minDims[i]) + ", " + std::to_string(t.maxDims[i]) + "]");
    }
  }
  if (value.device) {
    ElementCount(value.dims);  // resolved, bounded
    CheckDeviceInput(t.name, value.device);
    Require(c.context->setInputShape(t.name.c_str(), ToDims(value.dims)), "setInputShape(" + t.name + ")");
    // Bound in place: the producer synchronized its stream before handing the tensor over.
    Require(c.context->setTensorAddress(t.name.c_str(), reinterpret_cast<void*>(value.device)), "setTensorAddress(" + t.name + ")");
    return;
  }
  if (ElementCount(value.dims) != value.data.size()) {
    throw NativeError("ERR_TRT_SHAPE", "input \"" + t.name + "\" data length does not match its dimensions");
  }
  Require(c.context->setInputShape(t.name.c_str(), ToDims(value.dims)), "setInputShape(" + t.name + ")");
  cuda::DeviceBuffer<float>& buffer = c.buffers[t.name];
  buffer.Upload(value.data.data(), value.data.size(), c.stream.get());
  Require(c.context->setTensorAddress(t.name.c_str(), buffer.get()), "setTensorAddress(" + t.name + ")");
}

std::map<std::string, HostTensor> Engine::Run(const std::map<std::string, InputTensor>& inputs) {
  std::unique_ptr<Context> c = Acquire();
  std::map<std::string, HostTensor> outputs;
  try {
    for (const TensorInfo& t : tensors_) {
      if (!t.isInput) continue;
      auto it = inputs.find(t.name);
      if (it == inputs.end()) throw NativeError("ERR_TRT_INPUT", "missing input \"" + t.name + "\"");
      BindInput(*c, t, it->second);
    }
    for (const TensorInfo& t : tensors_) {
      if (t.isInput) continue;
      HostTensor& out = outputs[t.name];
      out.dims = ToVector(c->context->getTensorShape(t.name.c_str()));
      out.data.resize(ElementCount(out.dims));
      cuda::DeviceBuffer<float>& buffer = c->buffers[t.name];
      buffer.Resize(out.data.size());
      Require(c->context->setTensorAddress(t.name.c_str(), buffer.get()), "setTensorAddress(" + t.name + ")");
    }
    Require(c->context->enqueueV3(c->stream.get()), "enqueueV3");
    for (const TensorInfo& t : tensors_) {
      if (!t.isInput) c->buffers[t.name].Download(outputs[t.name].data.data(), outputs[t.name].data.size(), c->stream.get());
    }
    c->stream.Sync();
  } catch (...) {
    cudaStreamSynchronize(c->stream.get());
    Release(std::move(c));
    throw;
  }
  Release(std::move(c));
  return outputs;
}

}  // namespace trt
}  // namespace rsna
