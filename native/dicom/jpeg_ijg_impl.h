// One decode function over one of GDCM's IJG libjpeg 6b forks (8, 12 or 16 bits per JSAMPLE,
// lossy and lossless processes). Included by jpeg_ijg{8,12,16}.cc, each after defining
// RSNA_IJG_HEADER (the fork's jpeglib.h) and RSNA_IJG_DECODE (the function name).
// IJG reports errors through longjmp: every C++ object of the decode lives in the frame that calls
// setjmp (declared before it), so no destructor is skipped.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include "codecs.h"

extern "C" {
#include RSNA_IJG_HEADER
}

namespace rsna {
namespace dicom {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool corrupt;  // a warning (damaged data) ended the decode
};

void ExitOnError(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}
// Level -1 is a warning. Those about the data (corrupt entropy data, a marker hit mid-scan,
// extraneous bytes, a premature end: "Corrupt JPEG data: ...", "Premature end of JPEG file") mean the
// library filled the rest with grey: for us the image is damaged, an error. Others (e.g. the WG-04
// files' non-zero Ss/Se in a sequential SOS) are harmless and ignored, as GDCM does.
void WarningIsError(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  if (!std::strstr(text, "Corrupt") && !std::strstr(text, "Premature") && !std::strstr(text, "resync")) return;
  std::snprintf(err->message, sizeof err->message, "%s", text);
  err->corrupt = true;
  std::longjmp(err->jump, 1);
}

[[noreturn]] void Fail(j_common_ptr cinfo, const char* text) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  std::snprintf(err->message, sizeof err->message, "%s", text);
  std::longjmp(err->jump, 1);
}

// The whole frame is in memory: a data source that never refills. Running out of data is an error
// (a truncated frame), not the library's default of inventing an EOI marker.
void InitSource(j_decompress_ptr) {}
boolean FillInput(j_decompress_ptr cinfo) {
  reinterpret_cast<ErrorManager*>(cinfo->err)->corrupt = true;
  Fail(reinterpret_cast<j_common_ptr>(cinfo), "the JPEG data ends early (truncated frame)");
}
void SkipInput(j_decompress_ptr cinfo, long count) {
  if (count <= 0) return;
  if (size_t(count) > cinfo->src->bytes_in_buffer) reinterpret_cast<ErrorManager*>(cinfo->err)->corrupt = true;
  if (size_t(count) > cinfo->src->bytes_in_buffer) Fail(reinterpret_cast<j_common_ptr>(cinfo), "the JPEG data ends early (truncated frame)");
  cinfo->src->next_input_byte += count;
  cinfo->src->bytes_in_buffer -= size_t(count);
}
void TermSource(j_decompress_ptr) {}

}  // namespace

// Decodes into writer; returns false with *error set when the library reports a problem (and
// *corrupt when it was a warning about the data).
bool RSNA_IJG_DECODE(const uint8_t* data, size_t size, CanonicalWriter& writer, std::string* error, bool* corrupt) {
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  jpeg_source_mgr source;
  const FrameSpec& spec = writer.spec();
  cinfo.err = jpeg_std_error(&err.base);
  err.base.error_exit = ExitOnError;
  err.base.emit_message = WarningIsError;
  err.message[0] = 0;
  err.corrupt = false;
  if (setjmp(err.jump)) {
    *error = err.message;
    *corrupt = err.corrupt;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  source.init_source = InitSource;
  source.fill_input_buffer = FillInput;
  source.skip_input_data = SkipInput;
  source.resync_to_restart = jpeg_resync_to_restart;
  source.term_source = TermSource;
  source.next_input_byte = data;
  source.bytes_in_buffer = size;
  cinfo.src = &source;
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width != spec.columns || cinfo.image_height != spec.rows || uint32_t(cinfo.num_components) != spec.samplesPerPixel) {
    std::snprintf(err.message, sizeof err.message, "codestream is %ux%u with %d components, the DICOM header says %ux%u with %u",
                  unsigned(cinfo.image_width), unsigned(cinfo.image_height), cinfo.num_components, spec.columns, spec.rows, spec.samplesPerPixel);
    *error = err.message;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  writer.Allocate();
  if (cinfo.process == JPROC_LOSSLESS) {
    // Lossless samples are the stored values: no colour conversion whatever the markers suggest.
    cinfo.jpeg_color_space = JCS_UNKNOWN;
    cinfo.out_color_space = JCS_UNKNOWN;
  }
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_width != spec.columns || uint32_t(cinfo.output_components) != spec.samplesPerPixel) Fail(reinterpret_cast<j_common_ptr>(&cinfo), "output size differs from the frame header");
  {
    const size_t stride = size_t(cinfo.output_width) * cinfo.output_components;
    JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, JDIMENSION(stride), 1);
    while (cinfo.output_scanline < cinfo.output_height) {
      const size_t y = cinfo.output_scanline;
      if (jpeg_read_scanlines(&cinfo, row, 1) != 1) err.corrupt = true;
      if (err.corrupt) Fail(reinterpret_cast<j_common_ptr>(&cinfo), "the JPEG data ends early (truncated frame)");
      for (size_t i = 0; i < stride; ++i) writer.Set(y * stride + i, static_cast<int64_t>(GETJSAMPLE(row[0][i])));
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace dicom
}  // namespace rsna
