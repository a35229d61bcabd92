// HTJ2K (.201-.203) through the system OpenJPH, used when libopenjp2 (which also decodes HTJ2K and
// is the reference decoder in MANIFEST.json) is absent. OpenJPH reports errors through a message
// object; ours throws a NativeError instead of printing.
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
#include <algorithm>
#include <mutex>
#include "codecs.h"

namespace rsna {
namespace dicom {
namespace {

class ThrowingError : public ojph::message_error {
 public:
  void operator()(int, const char*, int, const char* fmt, ...) override {
    char text[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    DecodeFail("openjph", text);
  }
};
class SilentWarning : public ojph::message_warning {
 public:
  void operator()(int, const char*, int, const char*, ...) override {}
};
class SilentInfo : public ojph::message_info {
 public:
  void operator()(int, const char*, int, const char*, ...) override {}
};

void ConfigureMessagesOnce() {
  static std::once_flag once;
  static ThrowingError error;
  static SilentWarning warning;
  static SilentInfo info;
  std::call_once(once, [] {
    ojph::configure_error(&error);
    ojph::configure_warning(&warning);
    ojph::configure_info(&info);
  });
}

}  // namespace

DecodedFrame DecodeOpenJph(const uint8_t* data, size_t size, const FrameSpec& spec) {
  CanonicalWriter writer(spec);
  ConfigureMessagesOnce();
  if (size < 4 || data[0] != 0xFF || data[1] != 0x4F) DecodeFail("openjph", "the frame is not a JPEG 2000 codestream (FF4F)");
  ojph::mem_infile file;
  file.open(data, size);
  ojph::codestream cs;
  cs.enable_resilience();
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

}  // namespace dicom
}  // namespace rsna
#endif  // RSNA_HAVE_OPENJPH
