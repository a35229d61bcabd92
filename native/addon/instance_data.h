// Per-environment addon state (napi instance data): the JS classes' constructors live per Env, so
// the addon works when loaded in the main thread and in worker threads at once (a process-wide
// `static FunctionReference*` would point into whichever environment initialized last).
#pragma once
#include <napi.h>
#include <map>
#include <string>
#include "errors.h"

namespace rsna {

struct AddonInstanceData {
  std::map<std::string, Napi::FunctionReference> constructors;
};

// This environment's data, created on first use (freed by N-API when the environment ends).
inline AddonInstanceData& InstanceData(Napi::Env env) {
  auto* data = env.GetInstanceData<AddonInstanceData>();
  if (!data) {
    data = new AddonInstanceData();
    env.SetInstanceData(data);
  }
  return *data;
}

// Keeps `constructor` for this environment under `name` (called from a module's init).
inline void SetConstructor(Napi::Env env, const std::string& name, Napi::Function constructor) {
  InstanceData(env).constructors[name] = Napi::Persistent(constructor);
}

// A new instance of the class registered as `name` in this environment.
inline Napi::Object NewInstance(Napi::Env env, const std::string& name) {
  auto& constructors = InstanceData(env).constructors;
  auto it = constructors.find(name);
  if (it == constructors.end()) throw NativeError("ERR_NATIVE", "class " + name + " is not registered in this environment");
  return it->second.New({});
}

}  // namespace rsna
