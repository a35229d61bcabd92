// dlopen/dlsym of TensorRT's C entry points (see trt_library.h).
#include "trt/trt_library.h"
#include <dlfcn.h>
#include <cstdlib>
#include <mutex>

namespace rsna {
namespace trt {
namespace {

// Opens the first name that loads; records the last dlerror() otherwise.
void* OpenFirst(std::initializer_list<const char*> names, std::string* opened, std::string* error) {
  for (const char* name : names) {
    if (!name || !*name) continue;
    if (void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
      *opened = name;
      return handle;
    }
    const char* e = dlerror();
    if (error->empty()) *error = e ? e : name;  // the first (preferred) name's error is the useful one
  }
  return nullptr;
}

template <typename Fn>
Fn Symbol(void* handle, const char* name) {
  return reinterpret_cast<Fn>(dlsym(handle, name));
}

TrtLibrary Load() {
  TrtLibrary lib;
  std::string error;
  void* infer = OpenFirst({std::getenv("RSNA_MAMMO_TENSORRT_LIB"), "libnvinfer.so.10", "libnvinfer.so"},
                          &lib.inferPath, &error);
  if (!infer) {
    lib.reason = "TensorRT not found: libnvinfer.so.10 could not be loaded (" + error + ")";
    return lib;
  }
  lib.createInferBuilder = Symbol<TrtLibrary::CreateFn>(infer, "createInferBuilder_INTERNAL");
  lib.createInferRuntime = Symbol<TrtLibrary::CreateFn>(infer, "createInferRuntime_INTERNAL");
  lib.getInferLibVersion = Symbol<TrtLibrary::VersionFn>(infer, "getInferLibVersion");
  if (!lib.createInferBuilder || !lib.createInferRuntime || !lib.getInferLibVersion) {
    lib.reason = lib.inferPath + " lacks the TensorRT entry points (not TensorRT 10?)";
    return lib;
  }
  lib.version = lib.getInferLibVersion();
  if (lib.version / 10000 != 10) {
    lib.reason = "TensorRT " + VersionString(lib.version) + " found; rsna-mammo needs TensorRT 10";
    return lib;
  }
  lib.inferFound = true;
  error.clear();
  void* parser = OpenFirst({std::getenv("RSNA_MAMMO_ONNXPARSER_LIB"), "libnvonnxparser.so.10", "libnvonnxparser.so"},
                           &lib.parserPath, &error);
  if (!parser) {
    lib.reason = "TensorRT ONNX parser not found: libnvonnxparser.so.10 could not be loaded (" + error +
                 "); engines can be run but not built";
    return lib;
  }
  lib.createOnnxParser = Symbol<TrtLibrary::CreateParserFn>(parser, "createNvOnnxParser_INTERNAL");
  lib.getParserVersion = Symbol<TrtLibrary::VersionFn>(parser, "getNvOnnxParserVersion");
  if (!lib.createOnnxParser) {
    lib.reason = lib.parserPath + " lacks createNvOnnxParser_INTERNAL";
    return lib;
  }
  lib.parserFound = true;
  return lib;
}

}  // namespace

const TrtLibrary& LoadTrtLibrary() {
  static std::once_flag once;
  static TrtLibrary lib;
  std::call_once(once, [] { lib = Load(); });
  return lib;
}

std::string VersionString(int32_t version) {
  return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "." +
         std::to_string(version % 100);
}

}  // namespace trt
}  // namespace rsna
