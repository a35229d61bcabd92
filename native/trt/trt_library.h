// TensorRT loaded at run time: dlopen of libnvinfer.so.10 and libnvonnxparser.so.10, so the same
// CUDA addon works (and says why) where TensorRT is absent. Needs no TensorRT header: only the C
// entry points are resolved here; the C++ interfaces are used by engine_builder/engine_runtime.
#pragma once
#include <cstdint>
#include <string>

namespace rsna {
namespace trt {

struct TrtLibrary {
  // The factory functions TensorRT's inline createInferBuilder()/createInferRuntime()/
  // createParser() wrap (NvInfer.h, NvInferRuntime.h, NvOnnxParser.h).
  using CreateFn = void* (*)(void* logger, int32_t version);
  using CreateParserFn = void* (*)(void* network, void* logger, int version);
  using VersionFn = int32_t (*)();

  bool inferFound = false;   // libnvinfer loaded with its runtime + builder entry points
  bool parserFound = false;  // libnvonnxparser loaded (needed only to build engines)
  int32_t version = 0;       // getInferLibVersion(): major*10000 + minor*100 + patch for TensorRT 10
  std::string inferPath;
  std::string parserPath;
  std::string reason;        // why TensorRT (or its parser) is unusable; empty when both were found
  CreateFn createInferBuilder = nullptr;
  CreateFn createInferRuntime = nullptr;
  CreateParserFn createOnnxParser = nullptr;
  VersionFn getInferLibVersion = nullptr;
  VersionFn getParserVersion = nullptr;
};

// Loads the libraries once (thread-safe); $RSNA_MAMMO_TENSORRT_LIB / $RSNA_MAMMO_ONNXPARSER_LIB
// override the file names. Never throws: the result says what is missing.
const TrtLibrary& LoadTrtLibrary();

// "10.16.1" from getInferLibVersion()'s integer.
std::string VersionString(int32_t version);

}  // namespace trt
}  // namespace rsna
