// Small libtorch helpers shared by the trainers (header-only: include only from translation units
// that already include torch, to keep the number of heavy TUs low).
#pragma once
#include <torch/torch.h>
#include <cstring>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "train/common/flat_io.h"

namespace rsna {
namespace train {

// Seeds the default CPU generator (and CUDA's when present), as torch.manual_seed.
inline void SeedTorch(uint64_t seed) { torch::manual_seed(seed); }

// The default CPU generator's state bytes (for --resume) and their restoration.
inline std::vector<uint8_t> CpuRngState() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  at::Tensor s = gen.get_state();
  std::vector<uint8_t> out(s.numel());
  std::memcpy(out.data(), s.data_ptr<uint8_t>(), out.size());
  return out;
}
inline void SetCpuRngState(const std::vector<uint8_t>& bytes) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  at::Tensor s = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(s.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  gen.set_state(s);
}

// Concatenation of `tensors` (C order each) as one float32 vector, in the given order.
inline std::vector<float> FlattenF32(const std::vector<torch::Tensor>& tensors) {
  size_t total = 0;
  for (const auto& t : tensors) total += static_cast<size_t>(t.numel());
  std::vector<float> out(total);
  size_t off = 0;
  for (const auto& t : tensors) {
    at::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::memcpy(out.data() + off, c.data_ptr<float>(), sizeof(float) * c.numel());
    off += static_cast<size_t>(c.numel());
  }
  return out;
}

inline void WriteTensorsF32(const std::string& path, const std::vector<torch::Tensor>& tensors) {
  std::vector<float> flat = FlattenF32(tensors);
  WriteFloat32FileAtomic(path, flat.data(), flat.size());
}

// Copies a flat float32 file into `tensors` (in order, sizes checked: ERR_SHAPE_MISMATCH names the file).
inline void LoadTensorsF32(const std::string& path, const std::vector<torch::Tensor>& tensors) {
  int64_t total = 0;
  for (const auto& t : tensors) total += t.numel();
  uint64_t bytes = FileSize(path);
  if (bytes != static_cast<uint64_t>(total) * 4) {
    throw NativeError("ERR_SHAPE_MISMATCH", path + ": " + std::to_string(bytes / 4) + " float32 values, the model has " +
                                                std::to_string(total));
  }
  std::vector<float> flat = ReadFloat32File(path, total);
  torch::NoGradGuard no_grad;
  int64_t off = 0;
  for (const auto& t : tensors) {
    at::Tensor src = torch::from_blob(flat.data() + off, t.sizes(), torch::kFloat32);
    t.copy_(src);
    off += t.numel();
  }
}

}  // namespace train
}  // namespace rsna
