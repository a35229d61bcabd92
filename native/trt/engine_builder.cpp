// BuildEngine: ONNX → network → config (precision, workspace, profile, timing cache) → plan.
// The sampleOnnxMNIST sequence, with every step's result checked.
#include "trt/engine_builder.h"
#include <fstream>
#include <iterator>
#include "trt/trt_common.h"

namespace rsna {
namespace trt {
namespace {

std::vector<char> ReadFileIfPresent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool IsDynamic(const nvinfer1::Dims& d) {
  for (int32_t i = 0; i < d.nbDims; ++i) if (d.d[i] < 0) return true;
  return false;
}

void ParseOnnx(nvonnxparser::IParser& parser, const std::string& path) {
  if (parser.parseFromFile(path.c_str(), static_cast<int>(nvinfer1::ILogger::Severity::kWARNING))) return;
  std::string message = path + ": the TensorRT ONNX parser failed";
  for (int i = 0; i < parser.getNbErrors(); ++i) message += std::string("; ") + parser.getError(i)->desc();
  throw NativeError("ERR_TRT_PARSE", message);
}

void AddProfile(nvinfer1::IBuilder& builder, nvinfer1::INetworkDefinition& network,
                nvinfer1::IBuilderConfig& config, const std::map<std::string, ProfileShape>& profiles) {
  nvinfer1::IOptimizationProfile* profile = builder.createOptimizationProfile();
  Require(profile != nullptr, "createOptimizationProfile");
  bool any = false;
  for (int32_t i = 0; i < network.getNbInputs(); ++i) {
    nvinfer1::ITensor* input = network.getInput(i);
    const std::string name = input->getName();
    auto it = profiles.find(name);
    if (it == profiles.end()) {
      if (IsDynamic(input->getDimensions())) {
        throw NativeError("ERR_TRT_SHAPE", "input \"" + name + "\" has dynamic dimensions and no profile shape");
      }
      continue;
    }
    const ProfileShape& p = it->second;
    using nvinfer1::OptProfileSelector;
    Require(profile->setDimensions(name.c_str(), OptProfileSelector::kMIN, ToDims(p.min)) &&
                profile->setDimensions(name.c_str(), OptProfileSelector::kOPT, ToDims(p.opt)) &&
                profile->setDimensions(name.c_str(), OptProfileSelector::kMAX, ToDims(p.max)),
            "profile shapes of input \"" + name + "\"");
    any = true;
  }
  if (any) Require(config.addOptimizationProfile(profile) >= 0, "addOptimizationProfile");
}

}  // namespace

BuildResult BuildEngine(const BuildOptions& options) {
  auto builder = CreateBuilder();
  auto network = Own(builder->createNetworkV2(0), "createNetworkV2");  // explicit batch is the only mode in TRT 10
  auto parser = CreateParser(*network);
  ParseOnnx(*parser, options.onnxPath);

  auto config = Own(builder->createBuilderConfig(), "createBuilderConfig");
  config->setMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE, options.workspaceBytes);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (options.fp16) config->setFlag(nvinfer1::BuilderFlag::kFP16);  // deprecated in 10.x for strongly typed nets
#pragma GCC diagnostic pop
  if (options.tf32) {
    config->setFlag(nvinfer1::BuilderFlag::kTF32);
  } else {
    config->clearFlag(nvinfer1::BuilderFlag::kTF32);
  }
  AddProfile(*builder, *network, *config, options.profiles);

  UniquePtr<nvinfer1::ITimingCache> cache;
  if (!options.timingCachePath.empty()) {
    std::vector<char> blob = ReadFileIfPresent(options.timingCachePath);
    cache = Own(config->createTimingCache(blob.data(), blob.size()), "createTimingCache");
    Require(config->setTimingCache(*cache, /*ignoreMismatch=*/false), "setTimingCache");
  }

  auto plan = Own(builder->buildSerializedNetwork(*network, *config), "buildSerializedNetwork");
  BuildResult result;
  const char* bytes = static_cast<const char*>(plan->data());
  result.plan.assign(bytes, bytes + plan->size());

  if (cache) {
    const nvinfer1::ITimingCache* updated = config->getTimingCache();
    if (updated) {
      auto blob = Own(updated->serialize(), "timing cache serialize");
      std::ofstream out(options.timingCachePath, std::ios::binary | std::ios::trunc);
      out.write(static_cast<const char*>(blob->data()), static_cast<std::streamsize>(blob->size()));
      result.timingCacheWritten = static_cast<bool>(out);
    }
  }
  return result;
}

}  // namespace trt
}  // namespace rsna
