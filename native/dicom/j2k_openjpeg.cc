// JPEG 2000 (.90/.91) and HTJ2K (.201-.203) through the system libopenjp2 (2.5+: strict mode,
// threaded decode). A fragment may hold a bare codestream (FF4F) or a whole JP2 file, as in the
// RSNA files (ALGORITHMS.md §1.1.2); the codec is chosen from the first bytes.
#ifdef RSNA_HAVE_OPENJPEG
#include <openjpeg.h>
#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include "codecs.h"

namespace rsna {
namespace dicom {
namespace {

struct MemoryStream {
  const uint8_t* data;
  size_t size;
  size_t pos;
};

OPJ_SIZE_T ReadFn(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (s->pos >= s->size) return static_cast<OPJ_SIZE_T>(-1);
  const size_t take = std::min(n, s->size - s->pos);
  std::memcpy(buffer, s->data + s->pos, take);
  s->pos += take;
  return take;
}
OPJ_OFF_T SkipFn(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (n < 0) {
    if (size_t(-n) > s->pos) return -1;
    s->pos -= size_t(-n);
    return n;
  }
  const size_t take = std::min<size_t>(size_t(n), s->size - s->pos);
  s->pos += take;
  return static_cast<OPJ_OFF_T>(take);
}
OPJ_BOOL SeekFn(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (n < 0 || size_t(n) > s->size) return OPJ_FALSE;
  s->pos = size_t(n);
  return OPJ_TRUE;
}

void KeepMessage(const char* msg, void* user) {
  auto* last = static_cast<std::string*>(user);
  *last = msg ? msg : "";
  while (!last->empty() && (last->back() == '\n' || last->back() == ' ')) last->pop_back();
}
void IgnoreMessage(const char*, void*) {}

struct CodecDeleter { void operator()(opj_codec_t* c) const { opj_destroy_codec(c); } };
struct StreamDeleter { void operator()(opj_stream_t* s) const { opj_stream_destroy(s); } };
struct ImageDeleter { void operator()(opj_image_t* i) const { opj_image_destroy(i); } };

int CodecThreads(const FrameSpec& spec, size_t pixels) {
  if (spec.threads > 0) return spec.threads;
  if (pixels < (size_t(1) << 20)) return 1;  // small frames: threads cost more than they save
  return std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
}

}  // namespace

DecodedFrame DecodeOpenJpeg(const uint8_t* data, size_t size, const FrameSpec& spec) {
  CanonicalWriter writer(spec);
  const bool jp2 = IsJp2File(data, size);
  if (!jp2 && !IsJ2kCodestream(data, size))
    DecodeFail("openjpeg", "the frame is neither a JPEG 2000 codestream (FF4F) nor a JP2 file");
  std::string error;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  if (!codec) DecodeFail("openjpeg", "cannot create a decoder");
  opj_set_error_handler(codec.get(), KeepMessage, &error);
  opj_set_warning_handler(codec.get(), IgnoreMessage, nullptr);
  opj_set_info_handler(codec.get(), IgnoreMessage, nullptr);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec.get(), &params)) DecodeFail("openjpeg", "setup failed: " + error);
  opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE);  // truncated codestreams are errors, not grey tiles
  opj_codec_set_threads(codec.get(), CodecThreads(spec, writer.samples() / spec.samplesPerPixel));

  MemoryStream mem{data, size, 0};
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(1 << 20, OPJ_TRUE));
  opj_stream_set_user_data(stream.get(), &mem, nullptr);
  opj_stream_set_user_data_length(stream.get(), size);
  opj_stream_set_read_function(stream.get(), ReadFn);
  opj_stream_set_skip_function(stream.get(), SkipFn);
  opj_stream_set_seek_function(stream.get(), SeekFn);

  opj_image_t* raw = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw)) {
    if (raw) opj_image_destroy(raw);
    DecodeFail("openjpeg", "cannot read the header: " + error);
  }
  std::unique_ptr<opj_image_t, ImageDeleter> image(raw);
  // Check the codestream's size against the DICOM header before the decoder allocates anything.
  const uint64_t width = uint64_t(image->x1) - image->x0, height = uint64_t(image->y1) - image->y0;
  if (image->x1 < image->x0 || image->y1 < image->y0 || width != spec.columns || height != spec.rows)
    DecodeFail("openjpeg", "codestream is " + std::to_string(width) + "x" + std::to_string(height) + ", the DICOM header says " +
                               std::to_string(spec.columns) + "x" + std::to_string(spec.rows));
  if (image->numcomps != spec.samplesPerPixel)
    DecodeFail("openjpeg", "codestream has " + std::to_string(image->numcomps) + " components, SamplesPerPixel is " + std::to_string(spec.samplesPerPixel));
  for (uint32_t c = 0; c < image->numcomps; ++c)
    if (image->comps[c].dx != 1 || image->comps[c].dy != 1) DecodeFail("openjpeg", "subsampled components are not supported");
  writer.Allocate();
  // The header was read and agrees with the DICOM header: a failure now (strict mode: truncated or
  // damaged tile data) is about the data, not a codestream this library cannot read, so no other
  // (more lenient) decoder may turn it into an image.
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
    CorruptFail("openjpeg", "decode failed: " + (error.empty() ? std::string("corrupt codestream") : error));
  for (uint32_t c = 0; c < spec.samplesPerPixel; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (!comp.data || comp.w != spec.columns || comp.h != spec.rows) DecodeFail("openjpeg", "decoded component has the wrong size");
    writer.SetComponentRow(0, c, comp.data, size_t(comp.w) * comp.h);
  }
  return writer.Finish(std::string("openjpeg-") + opj_version());
}

}  // namespace dicom
}  // namespace rsna
#endif  // RSNA_HAVE_OPENJPEG
