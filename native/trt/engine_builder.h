// Builds a serialized TensorRT engine (plan) from an ONNX file: FP32 by default (ALGORITHMS.md §4.5),
// FP16 / TF32 on request, one optimization profile per dynamic input, and a timing cache file.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rsna {
namespace trt {

// min/opt/max shape of one input (ALGORITHMS.md §4.5: min (1,3,2048,1024), opt = max (2,...)).
struct ProfileShape {
  std::vector<int64_t> min, opt, max;
};

struct BuildOptions {
  std::string onnxPath;
  bool fp16 = false;
  // TensorRT turns TF32 on by default on Ampere+; we turn it off unless asked, so FP32 means FP32
  // (the original's engine had it on: ALGORITHMS.md §4.5 NOTE).
  bool tf32 = false;
  uint64_t workspaceBytes = uint64_t(1) << 32;  // 4 GiB as the original
  // Shapes per input name; inputs with dynamic dims need one (computed by lib/runtime/profileShapes.ts).
  std::map<std::string, ProfileShape> profiles;
  std::string timingCachePath;  // read when present, written after the build; empty = none
};

struct BuildResult {
  std::vector<char> plan;
  bool timingCacheWritten = false;
};

// Throws NativeError (ERR_TENSORRT_MISSING, ERR_TRT_PARSE, ERR_TRT_SHAPE, ERR_TRT) on failure.
BuildResult BuildEngine(const BuildOptions& options);

}  // namespace trt
}  // namespace rsna
