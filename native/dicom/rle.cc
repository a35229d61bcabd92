// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per
// byte plane (most significant byte first), per sample. Small enough to need no library.
#include <cstring>
#include "codecs.h"

namespace rsna {
namespace dicom {

static uint32_t ReadLe32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

// Unpacks one PackBits segment [begin, end) into exactly `count` bytes at out (stride `step`).
static void UnpackSegment(const uint8_t* begin, const uint8_t* end, uint8_t* plane, size_t count) {
  size_t n = 0;
  const uint8_t* p = begin;
  while (n < count && p < end) {
    const int8_t header = static_cast<int8_t>(*p++);
    if (header >= 0) {
      size_t run = size_t(header) + 1;
      if (run > size_t(end - p)) DecodeFail("rle", "literal run passes the end of its segment");
      if (run > count - n) run = count - n;  // trailing padding beyond the plane is ignored
      std::memcpy(plane + n, p, run);
      p += header + 1;
      n += run;
    } else if (header != -128) {
      if (p >= end) DecodeFail("rle", "replicate run passes the end of its segment");
      size_t run = size_t(1 - header);
      if (run > count - n) run = count - n;
      std::memset(plane + n, *p++, run);
      n += run;
    }
  }
  if (n < count) DecodeFail("rle", "segment decodes to " + std::to_string(n) + " bytes, expected " + std::to_string(count));
}

DecodedFrame DecodeRle(const uint8_t* data, size_t size, const FrameSpec& spec) {
  CanonicalWriter writer(spec);
  if (size < 64) DecodeFail("rle", "the RLE header needs 64 bytes, the frame has " + std::to_string(size));
  const uint32_t bytesPerSample = spec.bitsAllocated / 8;
  const uint32_t segments = ReadLe32(data);
  if (segments != spec.samplesPerPixel * bytesPerSample || segments > 15)
    DecodeFail("rle", "header lists " + std::to_string(segments) + " segments, expected " + std::to_string(spec.samplesPerPixel * bytesPerSample));
  const size_t pixels = writer.samples() / spec.samplesPerPixel;
  // PackBits turns 2 bytes into at most 128: a shorter stream cannot hold the frame.
  if ((size - 64) / 2 * 128 + 128 < pixels * segments) DecodeFail("rle", std::to_string(size) + " bytes cannot encode the frame");
  writer.Allocate();
  std::vector<uint8_t> planes(CheckedBytes(pixels, segments));
  for (uint32_t s = 0; s < segments; ++s) {
    const uint32_t start = ReadLe32(data + 4 + 4 * s);
    const uint32_t stop = s + 1 < segments ? ReadLe32(data + 8 + 4 * s) : uint32_t(size);
    if (start < 64 || start > stop || stop > size) DecodeFail("rle", "segment " + std::to_string(s) + " offsets are out of range");
    UnpackSegment(data + start, data + stop, planes.data() + size_t(s) * pixels, pixels);
  }
  for (uint32_t c = 0; c < spec.samplesPerPixel; ++c) {
    const uint8_t* first = planes.data() + size_t(c) * bytesPerSample * pixels;
    for (size_t i = 0; i < pixels; ++i) {
      uint32_t v = 0;
      for (uint32_t b = 0; b < bytesPerSample; ++b) v = (v << 8) | first[size_t(b) * pixels + i];
      writer.Set(i * spec.samplesPerPixel + c, static_cast<int64_t>(v));
    }
  }
  return writer.Finish("native-rle");
}

}  // namespace dicom
}  // namespace rsna
