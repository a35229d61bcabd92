// The libtorch inference models of the `libtorch` backend (docs/DESIGN.md "libtorch backend"): the
// k-fold ConvNeXt ensemble (ALGORITHMS.md §4.4: 0..255 input, ImageNet mean/std inside, sigmoid per
// fold → [N, k]) and YOLOX's raw output (§2.3), built from the trainer's modules
// (native/train/convnext/model.h, native/train/yolox/model.h) and weights handed over by name.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "train/convnext/model.h"
#include "train/yolox/model.h"

namespace rsna {
namespace infer_torch {

enum class Precision { kFp32, kTf32, kFp16, kBf16 };

// One named weight as handed over from JS (the caller keeps `data` alive during the load).
struct NamedWeight {
  std::string name;
  std::vector<int64_t> dims;
  const float* data = nullptr;
  size_t length = 0;
};

struct ModelSpec {
  enum class Kind { kEnsemble, kYolox } kind = Kind::kEnsemble;
  train::ConvNeXtConfig convnext;          // every fold has this architecture
  train::yolox::YoloxConfig yolox;
  std::vector<float> mean255, std255;      // the wrapper's [1,3,1,1] float32 buffers (§3.4)
  std::vector<std::vector<NamedWeight>> weights;  // per fold (YOLOX: one entry)
};

struct RunOptions {
  std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N"
  Precision precision = Precision::kFp32;
  bool channels_last = false;
  bool cuda_graphs = false;    // CUDA only: one captured graph per input shape
  int threads = 0;             // CPU intra-op threads (0: libtorch's default)
};

Precision ParsePrecision(const std::string& name);
const char* PrecisionName(Precision p);

class GraphCache;  // cuda_graphs.h (CUDA builds only)

// A loaded model; Run() is serialised by a mutex (one stream, one set of activations).
class InferModel {
 public:
  InferModel(const ModelSpec& spec, const RunOptions& options);
  ~InferModel();
  // `input`: float32 [N, 3, H, W] on any device (host or this model's CUDA device). Returns the
  // float32 output on the host: [N, k] probabilities (ensemble) or [N, anchors, 5 + C] (YOLOX).
  torch::Tensor Run(const torch::Tensor& input);
  const torch::Device& device() const { return device_; }

 private:
  torch::Tensor Forward(const torch::Tensor& input);
  void SetThreadState() const;

  ModelSpec::Kind kind_;
  RunOptions options_;
  torch::Device device_;
  torch::Dtype compute_dtype_;
  std::vector<train::ConvNeXt> folds_;
  train::yolox::YoloxModel yolox_{nullptr};
  torch::Tensor mean_, std_;
  std::unique_ptr<GraphCache> graphs_;
  std::mutex mutex_;
};

// libtorch facts for `doctor` and the backend's availability.
struct TorchInfo {
  std::string torch_version;
  bool compiled_with_cuda = false;
  bool cuda_available = false;
  int64_t device_count = 0;
  int64_t cuda_version = 0;   // CUDA runtime the libtorch was built with (e.g. 12040), 0 if none
  int64_t cudnn_version = 0;  // 0 if none
  std::vector<std::string> device_names;  // "cuda:N" (the CUDA addon's deviceInfo() names the GPUs)
};
TorchInfo QueryTorchInfo();

}  // namespace infer_torch
}  // namespace rsna
