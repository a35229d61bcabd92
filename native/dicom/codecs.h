// The codec entry points of native/dicom. Each takes one frame's complete codestream (fragments
// already joined by lib/dicom/frames.ts) and returns canonical stored values (frame_spec.h).
// A codec whose library was not found at build time is absent (see AvailableCodecs()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "frame_spec.h"

namespace rsna {
namespace dicom {

using CodecFn = DecodedFrame (*)(const uint8_t* data, size_t size, const FrameSpec& spec);

struct CodecEntry {
  const char* name;  // "openjpeg", "charls", "gdcm-jpeg", "openjph", "rle"
  CodecFn decode;
};

// Codecs compiled into this addon, in no particular order.
std::vector<CodecEntry> AvailableCodecs();

DecodedFrame DecodeRle(const uint8_t* data, size_t size, const FrameSpec& spec);
#ifdef RSNA_HAVE_OPENJPEG
DecodedFrame DecodeOpenJpeg(const uint8_t* data, size_t size, const FrameSpec& spec);
#endif
#ifdef RSNA_HAVE_CHARLS
DecodedFrame DecodeCharls(const uint8_t* data, size_t size, const FrameSpec& spec);
#endif
#ifdef RSNA_HAVE_GDCM_JPEG
DecodedFrame DecodeGdcmJpeg(const uint8_t* data, size_t size, const FrameSpec& spec);
#endif
#ifdef RSNA_HAVE_OPENJPH
DecodedFrame DecodeOpenJph(const uint8_t* data, size_t size, const FrameSpec& spec);
#endif

}  // namespace dicom
}  // namespace rsna
