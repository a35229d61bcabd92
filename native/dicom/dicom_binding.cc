// N-API glue of native/dicom: dicomCodecs() lists the compiled codecs; dicomDecodeFrame(codec,
// bytes, spec) copies the codestream and decodes it on the libuv pool, resolving to
// { pixels: ArrayBuffer (canonical stored values), decoder }. Arguments are validated in
// lib/dicom/addon.ts; this glue only re-checks types.
#include <napi.h>
#include <memory>
#include "addon/async.h"
#include "addon/registry.h"
#include "codecs.h"

namespace rsna {
namespace dicom {

std::vector<CodecEntry> AvailableCodecs() {
  std::vector<CodecEntry> codecs{{"rle", DecodeRle}};
#ifdef RSNA_HAVE_GROK
  codecs.push_back({"grok", DecodeGrok});
#endif
#ifdef RSNA_HAVE_OPENJPEG
  codecs.push_back({"openjpeg", DecodeOpenJpeg});
#endif
#ifdef RSNA_HAVE_CHARLS
  codecs.push_back({"charls", DecodeCharls});
#endif
#ifdef RSNA_HAVE_GDCM_JPEG
  codecs.push_back({"gdcm-jpeg", DecodeGdcmJpeg});
#endif
#ifdef RSNA_HAVE_OPENJPH
  codecs.push_back({"openjph", DecodeOpenJph});
#endif
  return codecs;
}

static Napi::Value Codecs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto codecs = AvailableCodecs();
  Napi::Array out = Napi::Array::New(env, codecs.size());
  for (size_t i = 0; i < codecs.size(); ++i) out.Set(uint32_t(i), codecs[i].name);
  return out;
}

static uint32_t Field(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("spec.") + name + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0)) throw Napi::TypeError::New(o.Env(), std::string("spec.") + name + " is out of range");
  return uint32_t(d);
}

static Napi::Value DecodeFrameJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsTypedArray() || !info[2].IsObject())
    throw Napi::TypeError::New(env, "dicomDecodeFrame(codec: string, bytes: Uint8Array, spec: object)");
  const std::string name = info[0].As<Napi::String>();
  CodecFn decode = nullptr;
  for (const auto& c : AvailableCodecs())
    if (name == c.name) decode = c.decode;
  if (!decode) throw Napi::Error::New(env, "codec " + name + " is not compiled into this addon");
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  Napi::Object o = info[2].As<Napi::Object>();
  FrameSpec spec;
  spec.rows = Field(o, "rows");
  spec.columns = Field(o, "columns");
  spec.samplesPerPixel = Field(o, "samplesPerPixel");
  spec.bitsAllocated = Field(o, "bitsAllocated");
  spec.bitsStored = Field(o, "bitsStored");
  spec.isSigned = o.Get("isSigned").ToBoolean();
  spec.threads = int(Field(o, "threads"));
  auto data = std::make_shared<std::vector<uint8_t>>(bytes.Data(), bytes.Data() + bytes.ByteLength());
  return RunAsync<DecodedFrame>(
      env, [decode, data, spec]() { return decode(data->data(), data->size(), spec); },
      [](Napi::Env env, DecodedFrame& frame) -> Napi::Value {
        auto* owned = new std::vector<uint8_t>(std::move(frame.bytes));
        Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
            env, owned->data(), owned->size(), [](Napi::Env, void*, std::vector<uint8_t>* v) { delete v; }, owned);
        Napi::Object out = Napi::Object::New(env);
        out.Set("pixels", buffer);
        out.Set("decoder", frame.decoder);
        return out;
      });
}

static void InitDicom(Napi::Env env, Napi::Object exports) {
  exports.Set("dicomCodecs", Napi::Function::New(env, Codecs, "dicomCodecs"));
  exports.Set("dicomDecodeFrame", Napi::Function::New(env, DecodeFrameJs, "dicomDecodeFrame"));
}

RSNA_REGISTER_MODULE(dicom, InitDicom);

}  // namespace dicom
}  // namespace rsna
