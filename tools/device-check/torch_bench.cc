// rsna-mammo-torch-bench: times the libtorch backend's ensemble (InferModel, the code the addon runs)
// on one device for every precision × batch asked, with the input already on the device (the
// DeviceTensor path), and prints one JSON line per configuration: ms per batch (median of --iters),
// images/s, peak device memory, and the probabilities of the first two images (for the agreement
// check against the CPU path). Weights: a flat float32 file + layout (train/common/torch_utils.h
// LoadNamedF32), loaded into every fold. Used by tools/device-check/libtorch-check.sh.
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "addon/errors.h"
#include "infer_torch/infer_model.h"
#include "train/common/torch_utils.h"
#ifdef RSNA_TORCH_CUDA
#include "infer_torch/cuda_graphs.h"
#endif

namespace {

using rsna::infer_torch::InferModel;
using rsna::infer_torch::ModelSpec;
using rsna::infer_torch::NamedWeight;
using rsna::infer_torch::ParsePrecision;
using rsna::infer_torch::RunOptions;

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string Json(const std::vector<float>& v) {
  std::ostringstream o;
  o.precision(9);
  o << "[";
  for (size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
  return o.str() + "]";
}

int Main(int argc, char** argv) {
  const std::string device = Arg(argc, argv, "device", "cuda:0");
  const int64_t images = std::stoll(Arg(argc, argv, "images", "8"));
  const int64_t height = std::stoll(Arg(argc, argv, "height", "2048"));
  const int64_t width = std::stoll(Arg(argc, argv, "width", "1024"));
  const int folds = std::stoi(Arg(argc, argv, "folds", "4"));
  const int iters = std::stoi(Arg(argc, argv, "iters", "10"));
  const bool graphs = Arg(argc, argv, "graphs", "1") == "1";
  const bool channels_last = Arg(argc, argv, "channels-last", "1") == "1";

  // One fold module receives the flat weights; every fold of the ensemble gets the same values.
  rsna::train::ConvNeXtConfig cfg;  // convnext_small (§4.2)
  rsna::train::ConvNeXt holder(cfg);
  rsna::train::LoadNamedF32(Arg(argc, argv, "weights", ""), Arg(argc, argv, "layout", ""), holder->named_parameters());
  std::vector<NamedWeight> weights;
  for (auto& item : holder->named_parameters()) {
    torch::Tensor t = item.value().contiguous();
    weights.push_back({item.key(), t.sizes().vec(), t.data_ptr<float>(), static_cast<size_t>(t.numel())});
  }
  ModelSpec spec;
  spec.kind = ModelSpec::Kind::kEnsemble;
  spec.convnext = cfg;
  // The wrapper's float32 buffers: float32(ImageNet mean/std · 255) (ALGORITHMS.md §3.4).
  const double mean[3] = {0.485, 0.456, 0.406}, stdv[3] = {0.229, 0.224, 0.225};
  for (int i = 0; i < 3; ++i) {
    spec.mean255.push_back(static_cast<float>(mean[i] * 255.0));
    spec.std255.push_back(static_cast<float>(stdv[i] * 255.0));
  }
  spec.weights.assign(static_cast<size_t>(folds), weights);

  std::vector<float> host = rsna::train::ReadFloat32File(Arg(argc, argv, "input", ""), images * 3 * height * width);
  torch::Tensor all = torch::from_blob(host.data(), {images, 3, height, width}, torch::kFloat32);
  const torch::Device dev = device == "cpu" ? torch::Device(torch::kCPU) : torch::Device(device);
  if (dev.is_cuda() && !torch::cuda::is_available()) {
    throw rsna::NativeError("ERR_CUDA_UNAVAILABLE", "this libtorch sees no CUDA device (built without CUDA, or no GPU/driver)");
  }
  torch::Tensor on_device = all.to(dev);

  for (const std::string& precision : Split(Arg(argc, argv, "precisions", "fp32"))) {
    for (const std::string& b : Split(Arg(argc, argv, "batches", "2"))) {
      const int64_t batch = std::stoll(b);
      if (batch > images) throw rsna::NativeError("ERR_INVALID_ARGUMENT", "--batches exceeds --images");
      RunOptions options;
      options.device = device;
      options.precision = ParsePrecision(precision);
      options.channels_last = channels_last;
      options.cuda_graphs = graphs && device != "cpu";
#ifdef RSNA_TORCH_CUDA
      if (dev.is_cuda()) rsna::infer_torch::CudaResetPeak(dev.index());
#endif
      InferModel model(spec, options);
      torch::Tensor input = on_device.slice(0, 0, batch);
      torch::Tensor out;
      for (int i = 0; i < 3 && device != "cpu"; ++i) out = model.Run(input);  // warm-up (and graph capture)
      std::vector<double> ms;
      for (int i = 0; i < iters; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        out = model.Run(input);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      const double median = ms[ms.size() / 2];
      int64_t peak = 0;
#ifdef RSNA_TORCH_CUDA
      if (dev.is_cuda()) peak = rsna::infer_torch::CudaPeakAllocatedBytes(dev.index());
#endif
      torch::Tensor first = out.slice(0, 0, std::min<int64_t>(2, batch)).contiguous();
      std::vector<float> probs(first.data_ptr<float>(), first.data_ptr<float>() + first.numel());
      std::cout << "{\"impl\":\"rsna-mammo libtorch\",\"device\":\"" << device << "\",\"precision\":\"" << precision
                << "\",\"batch\":" << batch << ",\"folds\":" << folds << ",\"graphs\":" << (options.cuda_graphs ? "true" : "false")
                << ",\"channelsLast\":" << (channels_last ? "true" : "false") << ",\"msPerBatch\":" << median
                << ",\"msMin\":" << ms.front() << ",\"imgPerS\":" << (1000.0 * batch / median)
                << ",\"peakMiB\":" << (peak / 1048576.0) << ",\"probs\":" << Json(probs) << "}" << std::endl;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const rsna::NativeError& e) {
    std::cerr << "rsna-mammo-torch-bench: " << e.code() << ": " << e.what() << std::endl;
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    std::cerr << "rsna-mammo-torch-bench: ERR_TORCH: " << message.substr(0, message.find('\n')) << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "rsna-mammo-torch-bench: " << e.what() << std::endl;
  }
  return 1;
}
