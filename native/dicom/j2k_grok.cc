// JPEG 2000 (.90/.91) through the system Grok (libgrokj2k, 10.x), about 1.5-2x faster than libopenjp2
// 2.5.0 on the RSNA files at one thread. Grok is AGPL-3.0: gyp-codecs.js links it only into source
// builds on a machine that has it, never into a prebuilt (scripts/prebuild.js builds without it and
// refuses AGPL libraries; release-check.js refuses a prebuilt that reports it).
// Grok's message handlers and its thread pool are process-wide: decodes through Grok run one at a time
// (each uses the whole pool), and the pool is sized once, by the first decode's thread count.
// Strictness as with libopenjp2: after a header that agrees with the DICOM header, any warning or
// error of the decoder is ERR_DICOM_CORRUPT (truncated or damaged tile data is never an image).
#ifdef RSNA_HAVE_GROK
#include <grok.h>
#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include "codecs.h"

namespace rsna {
namespace dicom {
namespace {

// What the process-wide message handlers write to: the decode in progress (one at a time).
struct MessageSink {
  std::mutex mutex;  // Grok's worker threads report too
  std::string error;
  std::string warning;  // the first one
};
MessageSink* gSink = nullptr;
std::mutex gDecodeMutex;
bool gInitialised = false;

std::string Trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');  // one line in the error message
  return s;
}
void OnError(const char* msg, void*) {
  if (!gSink) return;
  std::lock_guard<std::mutex> lock(gSink->mutex);
  gSink->error = Trimmed(msg);
}
void OnWarning(const char* msg, void*) {
  if (!gSink) return;
  std::lock_guard<std::mutex> lock(gSink->mutex);
  if (gSink->warning.empty()) gSink->warning = Trimmed(msg);
}
void OnInfo(const char*, void*) {}

// Grok 10 cannot be initialised again after grk_deinitialize (it hangs): once per process.
void InitialiseOnce(int threads) {
  if (gInitialised) return;
  const unsigned n = threads > 0 ? unsigned(threads) : std::max(1u, std::thread::hardware_concurrency());
  grk_initialize(nullptr, n);  // returns false when no plugin is found, which is the normal case
  grk_set_msg_handlers(OnInfo, nullptr, OnWarning, nullptr, OnError, nullptr);
  gInitialised = true;
}

struct CodecUnref { void operator()(grk_codec* c) const { grk_object_unref(c); } };

}  // namespace

DecodedFrame DecodeGrok(const uint8_t* data, size_t size, const FrameSpec& spec) {
  CanonicalWriter writer(spec);
  if (!IsJp2File(data, size) && !IsJ2kCodestream(data, size))
    DecodeFail("grok", "the frame is neither a JPEG 2000 codestream (FF4F) nor a JP2 file");
  std::lock_guard<std::mutex> one(gDecodeMutex);
  InitialiseOnce(spec.threads);
  MessageSink sink;
  gSink = &sink;
  struct Detach { ~Detach() { gSink = nullptr; } } detach;
  const auto lastError = [&sink]() {
    std::lock_guard<std::mutex> lock(sink.mutex);
    return sink.error;
  };

  grk_decompress_core_params core;
  grk_decompress_set_default_params(&core);
  grk_stream_params stream{};
  stream.buf = const_cast<uint8_t*>(data);  // read only: Grok's buffer stream never writes
  stream.len = size;
  std::unique_ptr<grk_codec, CodecUnref> codec(grk_decompress_init(&stream, &core));
  if (!codec) DecodeFail("grok", "cannot create a decoder: " + lastError());
  grk_header_info header{};
  if (!grk_decompress_read_header(codec.get(), &header)) DecodeFail("grok", "cannot read the header: " + lastError());
  const grk_image* image = grk_decompress_get_composited_image(codec.get());
  if (!image) DecodeFail("grok", "no image after the header");
  // The codestream's size against the DICOM header before anything is allocated.
  const uint64_t width = uint64_t(image->x1) - image->x0, height = uint64_t(image->y1) - image->y0;
  if (image->x1 < image->x0 || image->y1 < image->y0 || width != spec.columns || height != spec.rows)
    DecodeFail("grok", "codestream is " + std::to_string(width) + "x" + std::to_string(height) + ", the DICOM header says " +
                           std::to_string(spec.columns) + "x" + std::to_string(spec.rows));
  if (image->numcomps != spec.samplesPerPixel)
    DecodeFail("grok", "codestream has " + std::to_string(image->numcomps) + " components, SamplesPerPixel is " + std::to_string(spec.samplesPerPixel));
  for (uint32_t c = 0; c < image->numcomps; ++c)
    if (image->comps[c].dx != 1 || image->comps[c].dy != 1) DecodeFail("grok", "subsampled components are not supported");
  writer.Allocate();
  {
    // Header-time warnings (e.g. about JP2 boxes) are tolerated, as with libopenjp2; from here on, none.
    std::lock_guard<std::mutex> lock(sink.mutex);
    sink.warning.clear();
    sink.error.clear();
  }
  if (!grk_decompress(codec.get(), nullptr)) {
    const std::string e = lastError();
    CorruptFail("grok", "decode failed: " + (e.empty() ? std::string("corrupt codestream") : e));
  }
  {
    std::lock_guard<std::mutex> lock(sink.mutex);
    if (!sink.warning.empty()) CorruptFail("grok", "damaged codestream: " + sink.warning);
  }
  image = grk_decompress_get_composited_image(codec.get());
  for (uint32_t c = 0; c < spec.samplesPerPixel; ++c) {
    const grk_image_comp& comp = image->comps[c];
    if (!comp.data || comp.w != spec.columns || comp.h != spec.rows || comp.stride < comp.w)
      DecodeFail("grok", "decoded component has the wrong size");
    for (uint32_t y = 0; y < comp.h; ++y) writer.SetComponentRow(size_t(y) * comp.w, c, comp.data + size_t(y) * comp.stride, comp.w);
  }
  return writer.Finish(std::string("grok-") + grk_version());
}

}  // namespace dicom
}  // namespace rsna
#endif  // RSNA_HAVE_GROK
