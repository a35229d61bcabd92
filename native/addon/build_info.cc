// buildInfo(): which optional native pieces this binary was compiled with (read by `doctor`).
#include <napi.h>
#include "registry.h"

namespace rsna {

static Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  Napi::Object codecs = Napi::Object::New(env);
#ifdef RSNA_HAVE_OPENJPEG
  codecs.Set("openjpeg", true);
#else
  codecs.Set("openjpeg", false);
#endif
#ifdef RSNA_HAVE_CHARLS
  codecs.Set("charls", true);
#else
  codecs.Set("charls", false);
#endif
#ifdef RSNA_HAVE_OPENJPH
  codecs.Set("openjph", true);
#else
  codecs.Set("openjph", false);
#endif
#ifdef RSNA_HAVE_GDCM_JPEG
  codecs.Set("gdcmJpeg", true);
#else
  codecs.Set("gdcmJpeg", false);
#endif
  out.Set("codecs", codecs);
  // Codecs a source build links when the build machine has them, never a prebuilt (licence: Grok is
  // AGPL-3.0); kept apart from `codecs`, which a prebuilt must have in full (scripts/release-check.js).
  Napi::Object sourceOnly = Napi::Object::New(env);
#ifdef RSNA_HAVE_GROK
  sourceOnly.Set("grok", true);
#else
  sourceOnly.Set("grok", false);
#endif
  out.Set("sourceOnlyCodecs", sourceOnly);
  out.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return out;
}

static void InitBuildInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
}

RSNA_REGISTER_MODULE(build_info, InitBuildInfo);

}  // namespace rsna
