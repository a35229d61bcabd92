// The codec entry points of native/dicom. Each takes one frame's complete codestream (fragments
// already joined by lib/dicom/frames.ts) and returns canonical stored values (frame_spec.h).
// A codec whose library was not found at build time is absent (see AvailableCodecs()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#include "frame_spec.h"

namespace rsna {
namespace dicom {

using CodecFn = DecodedFrame (*)(const uint8_t* data, size_t size, const FrameSpec& spec);

struct CodecEntry {
  const char* name;  // "openjpeg", "grok", "charls", "gdcm-jpeg", "openjph", "rle"
  CodecFn decode;
};

// Codecs compiled into this addon, in no particular order.
std::vector<CodecEntry> AvailableCodecs();

DecodedFrame DecodeRle(const uint8_t* data, size_t size, const FrameSpec& spec);

// A JPEG 2000 fragment holds a bare codestream (FF4F) or a whole JP2 file, as in the RSNA files
// (ALGORITHMS.md §1.1.2); both J2K codecs check with these.
inline bool IsJp2File(const uint8_t* d, size_t n) {
  static const uint8_t sig[12] = {0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
  return n >= 12 && std::memcmp(d, sig, 12) == 0;
}
inline bool IsJ2kCodestream(const uint8_t* d, size_t n) { return n >= 4 && d[0] == 0xFF && d[1] == 0x4F; }
#ifdef RSNA_HAVE_OPENJPEG
DecodedFrame DecodeOpenJpeg(const uint8_t* data, size_t size, const FrameSpec& spec);
#endif
#ifdef RSNA_HAVE_GROK
DecodedFrame DecodeGrok(const uint8_t* data, size_t size, const FrameSpec& spec);  // source builds only (AGPL-3.0)
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
