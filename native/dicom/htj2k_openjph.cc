// HTJ2K (.201-.203) through the system OpenJPH, used when libopenjp2 (which also decodes HTJ2K and
// is the reference decoder in MANIFEST.json) is absent. Strict: no resilience mode, and every error or
// warning OpenJPH reports while decoding makes the frame an error (ALGORITHMS.md §1.2.5).
// OpenJPH 0.9.0 (Debian 12) compiles configure_error/warning/info to empty functions, so there the
// handlers installed below never run and its default handlers print to its message streams; those
// streams are pointed at a capture stream that keeps what the calling thread printed. Later versions
// call the handlers, which keep the text the same way. Either way a decode's messages end up in
// t_messages.
#ifdef RSNA_HAVE_OPENJPH
#include <openjph/ojph_arch.h>
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>
#include <openjph/ojph_version.h>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <mutex>
#include <new>
#include <stdexcept>
#include "codecs.h"

namespace rsna {
namespace dicom {
namespace {

constexpr size_t kMaxMessages = 2048;
thread_local std::string t_messages;  // what OpenJPH said during this thread's decode

void Keep(const char* text, size_t n) {
  if (t_messages.size() < kMaxMessages) t_messages.append(text, std::min(n, kMaxMessages - t_messages.size()));
}
void KeepFormatted(const char* kind, const char* fmt, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, fmt, args);
  Keep(kind, std::strlen(kind));
  Keep(text, std::strlen(text));
  Keep("\n", 1);
}

class ThrowingError : public ojph::message_error {
 public:
  void operator()(int, const char*, int, const char* fmt, ...) override {
    va_list args;
    va_start(args, fmt);
    KeepFormatted("error: ", fmt, args);
    va_end(args);
    throw std::runtime_error("ojph error");
  }
};
class KeepingWarning : public ojph::message_warning {
 public:
  void operator()(int, const char*, int, const char* fmt, ...) override {
    va_list args;
    va_start(args, fmt);
    KeepFormatted("warning: ", fmt, args);
    va_end(args);
  }
};
class KeepingInfo : public ojph::message_info {
 public:
  void operator()(int, const char*, int, const char* fmt, ...) override {
    va_list args;
    va_start(args, fmt);
    KeepFormatted("info: ", fmt, args);
    va_end(args);
  }
};

#ifdef __GLIBC__
ssize_t CaptureWrite(void*, const char* buf, size_t n) {
  Keep(buf, n);
  return static_cast<ssize_t>(n);
}
// An unbuffered stdio stream whose writes land in the writing thread's t_messages.
FILE* CaptureStream() {
  cookie_io_functions_t io{nullptr, CaptureWrite, nullptr, nullptr};
  FILE* f = fopencookie(nullptr, "w", io);
  if (f) setvbuf(f, nullptr, _IONBF, 0);
  return f;
}
#endif

void ConfigureMessagesOnce() {
  static std::once_flag once;
  static ThrowingError error;
  static KeepingWarning warning;
  static KeepingInfo info;
  std::call_once(once, [] {
    ojph::configure_error(&error);
    ojph::configure_warning(&warning);
    ojph::configure_info(&info);
#ifdef __GLIBC__
    if (FILE* capture = CaptureStream()) {
      ojph::set_error_stream(capture);
      ojph::set_warning_stream(capture);
      ojph::set_info_stream(capture);
    }
#endif
  });
}

std::string Said() {  // the messages on one line, "; " between them
  std::string s;
  for (size_t p = 0; p < t_messages.size();) {
    size_t end = t_messages.find('\n', p);
    if (end == std::string::npos) end = t_messages.size();
    if (end > p) s += (s.empty() ? "" : "; ") + t_messages.substr(p, end - p);
    p = end + 1;
  }
  return s;
}

// Damage reports: warning and error lines, from OpenJPH's default handlers ("ojph warning 0x…") or
// ours ("warning: …"). Info lines are notes (resilience mode, which is off, reports damage as info).
bool Reported() {
  for (size_t p = 0; p < t_messages.size();) {
    const size_t end = t_messages.find('\n', p);
    const std::string line = t_messages.substr(p, end == std::string::npos ? std::string::npos : end - p);
    for (const char* start : {"ojph error", "ojph warning", "error: ", "warning: "})
      if (line.rfind(start, 0) == 0) return true;
    if (end == std::string::npos) break;
    p = end + 1;
  }
  return false;
}

DecodedFrame Decode(const uint8_t* data, size_t size, const FrameSpec& spec, bool& headerRead);

}  // namespace

DecodedFrame DecodeOpenJph(const uint8_t* data, size_t size, const FrameSpec& spec) {
  ConfigureMessagesOnce();
  if (size < 4 || data[0] != 0xFF || data[1] != 0x4F) DecodeFail("openjph", "the frame is not a JPEG 2000 codestream (FF4F)");
  t_messages.clear();
  bool headerRead = false;
  try {
    DecodedFrame frame = Decode(data, size, spec, headerRead);
    // A header that agrees with the DICOM header, then a report: about the data, final.
    if (Reported()) CorruptFail("openjph", Said());
    return frame;
  } catch (const NativeError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    const std::string said = t_messages.empty() ? std::string(e.what()) : Said();
    if (headerRead) CorruptFail("openjph", said);
    DecodeFail("openjph", said);
  }
}

namespace {

DecodedFrame Decode(const uint8_t* data, size_t size, const FrameSpec& spec, bool& headerRead) {
  CanonicalWriter writer(spec);
  ojph::mem_infile file;
  file.open(data, size);
  ojph::codestream cs;  // no enable_resilience(): damaged data is an error, not a guess
  cs.read_headers(&file);
  ojph::param_siz siz = cs.access_siz();
  const ojph::point extent = siz.get_image_extent(), offset = siz.get_image_offset();
  const uint64_t width = uint64_t(extent.x) - offset.x, height = uint64_t(extent.y) - offset.y;
  if (extent.x < offset.x || extent.y < offset.y || width != spec.columns || height != spec.rows)
    DecodeFail("openjph", "codestream is " + std::to_string(width) + "x" + std::to_string(height) + ", the DICOM header says " +
                              std::to_string(spec.columns) + "x" + std::to_string(spec.rows));
  const uint32_t components = siz.get_num_components();
  if (components != spec.samplesPerPixel) DecodeFail("openjph", "codestream has " + std::to_string(components) + " components, SamplesPerPixel is " + std::to_string(spec.samplesPerPixel));
  for (uint32_t c = 0; c < components; ++c) {
    const ojph::point ds = siz.get_downsampling(c);
    if (ds.x != 1 || ds.y != 1 || siz.get_recon_width(c) != spec.columns || siz.get_recon_height(c) != spec.rows)
      DecodeFail("openjph", "subsampled components are not supported");
  }
  // Irreversible (lossy) reconstruction can leave the component's range; clamp like OpenJPEG and
  // ojph_expand do before the canonical reduction.
  std::vector<int64_t> lo(components), hi(components);
  for (uint32_t c = 0; c < components; ++c) {
    const uint32_t depth = siz.get_bit_depth(c);
    if (depth < 1 || depth > 32) DecodeFail("openjph", "unsupported bit depth " + std::to_string(depth));
    lo[c] = siz.is_signed(c) ? -(int64_t(1) << (depth - 1)) : 0;
    hi[c] = siz.is_signed(c) ? (int64_t(1) << (depth - 1)) - 1 : (int64_t(1) << depth) - 1;
  }
  if (Reported()) DecodeFail("openjph", Said());
  headerRead = true;
  writer.Allocate();
  std::vector<int64_t> row(spec.columns);
  cs.set_planar(false);
  cs.create();
  for (uint32_t y = 0; y < spec.rows; ++y) {
    for (uint32_t c = 0; c < components; ++c) {
      ojph::ui32 comp = 0;
      ojph::line_buf* line = cs.pull(comp);
      if (!line || comp >= components || line->size < spec.columns) DecodeFail("openjph", "short line");
      for (uint32_t x = 0; x < spec.columns; ++x) row[x] = std::min(hi[comp], std::max(lo[comp], int64_t(line->i32[x])));
      writer.SetComponentRow(size_t(y) * spec.columns, comp, row.data(), spec.columns);
    }
  }
  cs.close();
  return writer.Finish("openjph-" + std::to_string(OPENJPH_VERSION_MAJOR) + "." + std::to_string(OPENJPH_VERSION_MINOR) + "." + std::to_string(OPENJPH_VERSION_PATCH));
}

}  // namespace
}  // namespace dicom
}  // namespace rsna
#endif  // RSNA_HAVE_OPENJPH
