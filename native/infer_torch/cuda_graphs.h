// CUDA-only part of the libtorch backend (compiled when the found libtorch has CUDA): each model runs
// on its own stream, and with CUDA graphs one graph is captured per input shape and replayed, which
// removes the per-kernel launch cost of the ~40 small kernels per ConvNeXt block.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rsna {
namespace infer_torch {

// Peak bytes held by the caching allocator on `device` since the last reset (the benchmark's memory figure).
int64_t CudaPeakAllocatedBytes(int device);
void CudaResetPeak(int device);

class GraphCache {
 public:
  explicit GraphCache(int device_index);
  ~GraphCache();
  // Runs `forward` on the model's stream and returns its output copied to the host. With
  // `use_graphs`, the first run of a shape captures a graph (after warm-up runs); later ones replay it.
  torch::Tensor Run(const torch::Tensor& input, bool use_graphs,
                    const std::function<torch::Tensor(const torch::Tensor&)>& forward);

 private:
  struct Captured;
  int device_index_;
  struct StreamHolder;
  std::unique_ptr<StreamHolder> stream_;
  std::map<std::vector<int64_t>, std::unique_ptr<Captured>> graphs_;
};

}  // namespace infer_torch
}  // namespace rsna
