// Small libtorch helpers shared by the trainers (header-only: include only from translation units
// that already include torch, to keep the number of heavy TUs low).
#pragma once
#include <torch/torch.h>
#include <cstring>
#include <set>
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

namespace rsna {
namespace train {

// Named flat weights: `flat_path` holds float32 tensors concatenated in the order of `layout_path`,
// a text file with one `key<TAB>d0,d1,...` line per tensor (written by the TypeScript driver from a
// checkpoint). Every model tensor must appear once with its exact shape, except those in `fresh`
// (kept as initialised, e.g. a pretrained 1000-class head); errors name the file and key.
inline void LoadNamedF32(const std::string& flat_path, const std::string& layout_path,
                         const torch::OrderedDict<std::string, torch::Tensor>& model,
                         const std::set<std::string>& fresh = {}) {
  std::vector<uint8_t> text = ReadBytes(layout_path);
  std::string s(text.begin(), text.end());
  std::vector<std::pair<std::string, std::vector<int64_t>>> entries;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    std::string line = s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? s.size() : nl + 1;
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) throw NativeError("ERR_BAD_LAYOUT", layout_path + ": line without a tab: " + line);
    std::vector<int64_t> shape;
    std::string dims = line.substr(tab + 1);
    size_t p = 0;
    while (p < dims.size()) {
      size_t c = dims.find(',', p);
      std::string d = dims.substr(p, c == std::string::npos ? std::string::npos : c - p);
      if (!d.empty()) shape.push_back(std::stoll(d));
      p = c == std::string::npos ? dims.size() : c + 1;
    }
    entries.emplace_back(line.substr(0, tab), shape);
  }
  int64_t total = 0;
  for (const auto& e : entries) {
    int64_t n = 1;
    for (int64_t d : e.second) n *= d;
    total += n;
  }
  std::vector<float> flat = ReadFloat32File(flat_path, total);
  std::set<std::string> seen;
  torch::NoGradGuard no_grad;
  int64_t off = 0;
  for (const auto& [key, shape] : entries) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const torch::Tensor* dst = model.find(key);
    if (!dst) throw NativeError("ERR_SHAPE_MISMATCH", layout_path + ": unexpected tensor " + key + " (not in the model)");
    if (dst->sizes().vec() != shape) {
      throw NativeError("ERR_SHAPE_MISMATCH", layout_path + ": " + key + " has shape " + c10::str(c10::IntArrayRef(shape)) +
                                                  ", the model expects " + c10::str(dst->sizes()));
    }
    dst->copy_(torch::from_blob(flat.data() + off, shape, torch::kFloat32));
    seen.insert(key);
    off += n;
  }
  for (const auto& item : model) {
    if (!seen.count(item.key()) && !fresh.count(item.key())) throw NativeError("ERR_SHAPE_MISMATCH", layout_path + ": tensor " + item.key() + " is missing");
  }
}

// The text layout of `named` tensors (`key<TAB>d0,d1,...` lines), the format LoadNamedF32 reads.
inline std::string NamedLayoutText(const torch::OrderedDict<std::string, torch::Tensor>& named) {
  std::string out;
  for (const auto& item : named) {
    out += item.key() + "\t";
    auto sizes = item.value().sizes();
    for (size_t i = 0; i < sizes.size(); ++i) out += (i ? "," : "") + std::to_string(sizes[i]);
    out += "\n";
  }
  return out;
}

}  // namespace train
}  // namespace rsna
