// Module registry for the CPU addon: each area (dicom, imgproc, roi, ...) registers its exports
// from its own file with RSNA_REGISTER_MODULE, so adding an area never edits addon.cc.
#pragma once
#include <napi.h>
#include <vector>

namespace rsna {

using ModuleInit = void (*)(Napi::Env env, Napi::Object exports);

struct ModuleEntry {
  const char* name;
  ModuleInit init;
};

std::vector<ModuleEntry>& ModuleRegistry();

struct ModuleRegistrar {
  ModuleRegistrar(const char* name, ModuleInit init) { ModuleRegistry().push_back({name, init}); }
};

}  // namespace rsna

#define RSNA_REGISTER_MODULE(name, init_fn) \
  static ::rsna::ModuleRegistrar rsna_registrar_##name(#name, init_fn)
