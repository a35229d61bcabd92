#include "infer_torch/cuda_graphs.h"

#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

namespace rsna {
namespace infer_torch {

int64_t CudaPeakAllocatedBytes(int device) {
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
  return stats.allocated_bytes[static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE)].peak;
}

void CudaResetPeak(int device) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
}

struct GraphCache::StreamHolder {
  c10::cuda::CUDAStream stream;
};

struct GraphCache::Captured {
  at::cuda::CUDAGraph graph;
  torch::Tensor input;   // static input the graph reads (float32, on the device)
  torch::Tensor output;  // static output the graph writes
};

GraphCache::GraphCache(int device_index) : device_index_(device_index) {
  c10::cuda::CUDAGuard device(static_cast<c10::DeviceIndex>(device_index));
  stream_ = std::make_unique<StreamHolder>(StreamHolder{c10::cuda::getStreamFromPool(/*isHighPriority=*/false,
                                                                                     static_cast<c10::DeviceIndex>(device_index))});
}

GraphCache::~GraphCache() = default;

torch::Tensor GraphCache::Run(const torch::Tensor& input, bool use_graphs,
                              const std::function<torch::Tensor(const torch::Tensor&)>& forward) {
  c10::cuda::CUDAGuard device(static_cast<c10::DeviceIndex>(device_index_));
  c10::cuda::CUDAStreamGuard on_stream(stream_->stream);
  if (!use_graphs) {
    // The copy to pageable host memory waits for the stream.
    return forward(input).to(torch::kCPU).contiguous();
  }
  const std::vector<int64_t> key = input.sizes().vec();
  auto it = graphs_.find(key);
  if (it == graphs_.end()) {
    auto captured = std::make_unique<Captured>();
    captured->input = torch::empty(input.sizes(), torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCUDA, device_index_));
    captured->input.copy_(input);
    // Warm-up on this (non-default) stream: cuDNN picks its algorithms and the allocator settles.
    for (int i = 0; i < 3; ++i) forward(captured->input);
    stream_->stream.synchronize();
    captured->graph.capture_begin();
    captured->output = forward(captured->input);
    captured->graph.capture_end();
    it = graphs_.emplace(key, std::move(captured)).first;
  }
  Captured& c = *it->second;
  c.input.copy_(input, /*non_blocking=*/false);
  c.graph.replay();
  return c.output.to(torch::kCPU).contiguous();
}

}  // namespace infer_torch
}  // namespace rsna
