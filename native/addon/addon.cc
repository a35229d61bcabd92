// CPU addon entry point: installs every module registered with RSNA_REGISTER_MODULE.
#include <napi.h>
#include "async.h"
#include "registry.h"

namespace rsna {

std::vector<ModuleEntry>& ModuleRegistry() {
  static std::vector<ModuleEntry> entries;
  return entries;
}

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("code", Napi::String::New(env, code));
  return error;
}

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  Napi::Array modules = Napi::Array::New(env);
  uint32_t i = 0;
  for (const ModuleEntry& entry : ModuleRegistry()) {
    entry.init(env, exports);
    modules.Set(i++, Napi::String::New(env, entry.name));
  }
  exports.Set("modules", modules);
  return exports;
}

}  // namespace rsna

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return rsna::InitAddon(env, exports); }

NODE_API_MODULE(rsna_mammo, Init)
