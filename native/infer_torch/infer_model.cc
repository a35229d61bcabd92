#include "infer_torch/infer_model.h"

#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <unordered_map>
#include <unordered_set>

#include "addon/errors.h"
#ifdef RSNA_TORCH_CUDA
#include "infer_torch/cuda_graphs.h"
#endif

namespace rsna {
namespace infer_torch {

#ifndef RSNA_TORCH_CUDA
class GraphCache {};  // CPU-only libtorch: no streams, no graphs
#endif

namespace {

std::string ListFirst(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size() && i < 5; ++i) s += (i ? ", " : "") + items[i];
  if (items.size() > 5) s += ", ... (" + std::to_string(items.size()) + " in all)";
  return s;
}

std::string DimsText(at::IntArrayRef dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// Copies the named weights into `m`'s float state (parameters and BN running stats), strictly like
// torch's load_state_dict: every missing, mis-shaped and unexpected key is reported in one error.
void LoadNamed(torch::nn::Module& m, const std::vector<NamedWeight>& given, const std::string& what) {
  std::unordered_map<std::string, const NamedWeight*> by_name;
  for (const auto& w : given) by_name[w.name] = &w;
  std::vector<std::string> missing, mismatched, unexpected;
  std::unordered_set<std::string> used;
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : train::yolox::FloatStateEntries(m)) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      missing.push_back(name);
      continue;
    }
    used.insert(name);
    const NamedWeight& w = *it->second;
    int64_t numel = 1;
    for (int64_t d : w.dims) numel = d >= 0 ? numel * d : -1;
    if (numel < 0 || static_cast<size_t>(numel) != w.length || w.dims != tensor.sizes().vec()) {
      mismatched.push_back(name + " " + DimsText(w.dims) + " (expected " + DimsText(tensor.sizes()) + ")");
      continue;
    }
    tensor.copy_(torch::from_blob(const_cast<float*>(w.data), w.dims, torch::kFloat32));
  }
  for (const auto& w : given) {
    if (!used.count(w.name)) unexpected.push_back(w.name);
  }
  if (missing.empty() && mismatched.empty() && unexpected.empty()) return;
  std::string parts;
  if (!missing.empty()) parts += "missing keys: " + ListFirst(missing);
  if (!mismatched.empty()) parts += (parts.empty() ? "" : "; ") + std::string("wrong shapes: ") + ListFirst(mismatched);
  if (!unexpected.empty()) parts += (parts.empty() ? "" : "; ") + std::string("unexpected keys: ") + ListFirst(unexpected);
  throw NativeError("ERR_ARCH_MISMATCH", "weights do not fit " + what + ": " + parts);
}

torch::Device ParseDevice(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  int64_t index = 0;
  if (name.rfind("cuda:", 0) == 0) {
    const std::string digits = name.substr(5);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) {
      throw NativeError("ERR_INVALID_ARGUMENT", "device must be cpu, cuda or cuda:N but is \"" + name + "\"");
    }
    index = std::stoll(digits);
  } else if (name != "cuda") {
    throw NativeError("ERR_INVALID_ARGUMENT", "device must be cpu, cuda or cuda:N but is \"" + name + "\"");
  }
  if (!torch::cuda::is_available()) {
#ifdef RSNA_TORCH_CUDA
    throw NativeError("ERR_CUDA_UNAVAILABLE", "libtorch sees no usable CUDA device (driver missing or no GPU visible)");
#else
    throw NativeError("ERR_CUDA_UNAVAILABLE", "the libtorch backend was built against a libtorch without CUDA");
#endif
  }
  if (index >= static_cast<int64_t>(torch::cuda::device_count())) {
    throw NativeError("ERR_INVALID_ARGUMENT", name + ": only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

torch::Dtype ComputeDtype(Precision p) {
  switch (p) {
    case Precision::kFp16: return torch::kHalf;
    case Precision::kBf16: return torch::kBFloat16;
    default: return torch::kFloat32;
  }
}

// Moves a module to the device and dtype; 4-D weights to channels-last when asked.
void Place(torch::nn::Module& m, const torch::Device& device, torch::Dtype dtype, bool channels_last) {
  torch::NoGradGuard no_grad;
  m.to(device, dtype);
  if (channels_last) {
    for (auto& p : m.parameters()) {
      if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  m.eval();
}

}  // namespace

Precision ParsePrecision(const std::string& name) {
  if (name == "fp32") return Precision::kFp32;
  if (name == "tf32") return Precision::kTf32;
  if (name == "fp16") return Precision::kFp16;
  if (name == "bf16") return Precision::kBf16;
  throw NativeError("ERR_INVALID_ARGUMENT", "precision must be fp32, tf32, fp16 or bf16 but is \"" + name + "\"");
}

const char* PrecisionName(Precision p) {
  switch (p) {
    case Precision::kTf32: return "tf32";
    case Precision::kFp16: return "fp16";
    case Precision::kBf16: return "bf16";
    default: return "fp32";
  }
}

InferModel::InferModel(const ModelSpec& spec, const RunOptions& options)
    : kind_(spec.kind), options_(options), device_(ParseDevice(options.device)), compute_dtype_(ComputeDtype(options.precision)) {
  if (device_.is_cpu() && (options.precision == Precision::kFp16 || options.precision == Precision::kTf32)) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(PrecisionName(options.precision)) +
                                                  " needs a CUDA device; on the CPU use fp32 or bf16");
  }
  if (device_.is_cpu() && options.cuda_graphs) throw NativeError("ERR_INVALID_ARGUMENT", "CUDA graphs need a CUDA device");
  if (options.threads < 0 || options.threads > 1024) throw NativeError("ERR_INVALID_ARGUMENT", "threads must be 0..1024");
  if (spec.weights.empty()) throw NativeError("ERR_INVALID_ARGUMENT", "no weights were given");
  SetThreadState();
  if (kind_ == ModelSpec::Kind::kEnsemble) {
    if (spec.mean255.size() != 3 || spec.std255.size() != 3) throw NativeError("ERR_INVALID_ARGUMENT", "mean255 and std255 need 3 values");
    if (spec.convnext.in_chans != 3) throw NativeError("ERR_ARCH_MISMATCH", "the ensemble normalises 3 channels but in_chans != 3");
    for (size_t k = 0; k < spec.weights.size(); ++k) {
      train::ConvNeXtConfig cfg = spec.convnext;
      cfg.drop_rate = 0.0;
      cfg.drop_path_rate = 0.0;
      train::ConvNeXt fold(cfg);
      LoadNamed(*fold, spec.weights[k], "timm ConvNeXt (fold " + std::to_string(k) + ")");
      Place(*fold, device_, compute_dtype_, options.channels_last);
      folds_.push_back(fold);
    }
    mean_ = torch::tensor(spec.mean255, torch::kFloat32).reshape({1, 3, 1, 1}).to(device_);
    std_ = torch::tensor(spec.std255, torch::kFloat32).reshape({1, 3, 1, 1}).to(device_);
  } else {
    if (spec.weights.size() != 1) throw NativeError("ERR_INVALID_ARGUMENT", "YOLOX takes one set of weights");
    yolox_ = train::yolox::YoloxModel(spec.yolox);
    LoadNamed(*yolox_, spec.weights[0], "YOLOX");
    Place(*yolox_, device_, compute_dtype_, options.channels_last);
  }
#ifdef RSNA_TORCH_CUDA
  if (device_.is_cuda()) graphs_ = std::make_unique<GraphCache>(device_.index());
#endif
}

InferModel::~InferModel() = default;

void InferModel::SetThreadState() const {
  // OpenMP thread counts are per calling thread, and runs come from any libuv pool thread.
  if (device_.is_cpu() && options_.threads > 0) at::set_num_threads(options_.threads);
  if (device_.is_cuda()) {
    // Process-wide switches: fp32 means no TF32 (cuDNN allows it by default); shapes repeat, so
    // cuDNN may benchmark its algorithms once per shape.
    auto& ctx = at::globalContext();
    ctx.setAllowTF32CuBLAS(options_.precision == Precision::kTf32);
    ctx.setAllowTF32CuDNN(options_.precision == Precision::kTf32);
    ctx.setBenchmarkCuDNN(true);
  }
}

torch::Tensor InferModel::Forward(const torch::Tensor& input) {
  torch::Tensor x = input.to(device_, torch::kFloat32);
  if (kind_ == ModelSpec::Kind::kEnsemble) {
    // Subtract then divide in float32 as the wrapper (§3.4), then the compute precision.
    x = ((x - mean_) / std_).to(compute_dtype_);
    if (options_.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    std::vector<torch::Tensor> logits;
    for (auto& fold : folds_) logits.push_back(fold->forward(x).slice(1, 0, 1));
    // logit[:, 0] per fold, stacked, sigmoid in float32 (KFoldEnsembleModel, §4.4).
    return torch::cat(logits, 1).to(torch::kFloat32).sigmoid();
  }
  x = x.to(compute_dtype_);
  if (options_.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  return yolox_->ForwardRaw(x).to(torch::kFloat32);
}

torch::Tensor InferModel::Run(const torch::Tensor& input) {
  if (input.dim() != 4 || input.size(0) < 1 || input.size(1) != 3 || input.size(2) < 32 || input.size(3) < 32) {
    throw NativeError("ERR_INFER_SHAPE", "input must be [N>=1, 3, H>=32, W>=32] but is " + DimsText(input.sizes()));
  }
  if (input.scalar_type() != torch::kFloat32) throw NativeError("ERR_INVALID_ARGUMENT", "input must be float32");
  if (input.is_cuda() && input.device() != device_) {
    throw NativeError("ERR_INVALID_ARGUMENT", "the device input is on " + input.device().str() + " but the model is on " + device_.str());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  SetThreadState();
  c10::InferenceMode inference;
#ifdef RSNA_TORCH_CUDA
  if (graphs_) {
    return graphs_->Run(input, options_.cuda_graphs, [this](const torch::Tensor& x) { return Forward(x); });
  }
#endif
  return Forward(input).contiguous();
}

TorchInfo QueryTorchInfo() {
  TorchInfo info;
  info.torch_version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                       std::to_string(TORCH_VERSION_PATCH);
#ifdef RSNA_TORCH_CUDA
  info.compiled_with_cuda = true;
#endif
  try {
    info.cuda_available = torch::cuda::is_available();
    info.device_count = info.cuda_available ? static_cast<int64_t>(torch::cuda::device_count()) : 0;
    if (info.compiled_with_cuda) {
      info.cuda_version = at::detail::getCUDAHooks().versionCUDART();
      if (at::detail::getCUDAHooks().hasCuDNN()) info.cudnn_version = at::detail::getCUDAHooks().versionCuDNN();
    }
    for (int64_t i = 0; i < info.device_count; ++i) info.device_names.push_back("cuda:" + std::to_string(i));
  } catch (const std::exception&) {
    // A broken driver reads as "no CUDA": the facts gathered so far stay.
  }
  return info;
}

}  // namespace infer_torch
}  // namespace rsna
