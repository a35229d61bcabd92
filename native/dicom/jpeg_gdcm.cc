// JPEG baseline/extended (.50/.51) and lossless (.57/.70) through GDCM's IJG forks: the fork is
// chosen by the frame's SOF precision (8 → 8-bit, ≤12 → 12-bit, else the 16-bit lossless build).
#ifdef RSNA_HAVE_GDCM_JPEG
#include "codecs.h"

namespace rsna {
namespace dicom {

bool DecodeIjg8(const uint8_t* data, size_t size, CanonicalWriter& writer, std::string* error, bool* corrupt);
bool DecodeIjg12(const uint8_t* data, size_t size, CanonicalWriter& writer, std::string* error, bool* corrupt);
bool DecodeIjg16(const uint8_t* data, size_t size, CanonicalWriter& writer, std::string* error, bool* corrupt);

// Walks the marker segments up to the first SOFn and returns its precision (0 when none).
static int SofPrecision(const uint8_t* d, size_t n) {
  if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return 0;
  size_t p = 2;
  while (p + 4 <= n) {
    if (d[p] != 0xFF) return 0;
    const uint8_t marker = d[p + 1];
    if (marker == 0xFF) { ++p; continue; }  // fill bytes
    const size_t length = size_t(d[p + 2]) << 8 | d[p + 3];
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return p + 4 < n ? d[p + 4] : 0;
    if (length < 2) return 0;
    p += 2 + length;
  }
  return 0;
}

DecodedFrame DecodeGdcmJpeg(const uint8_t* data, size_t size, const FrameSpec& spec) {
  CanonicalWriter writer(spec);
  const int precision = SofPrecision(data, size);
  if (precision < 2 || precision > 16) DecodeFail("gdcm-jpeg", precision ? "unsupported precision " + std::to_string(precision) : "no JPEG frame header (SOI/SOF) found");
  std::string error;
  bool corrupt = false;
  int bits = precision <= 8 ? 8 : precision <= 12 ? 12 : 16;
  bool ok = bits == 8 ? DecodeIjg8(data, size, writer, &error, &corrupt) : bits == 12 ? DecodeIjg12(data, size, writer, &error, &corrupt) : DecodeIjg16(data, size, writer, &error, &corrupt);
  if (!ok && !corrupt && bits == 12) {  // lossless 9-12 bit streams the 12-bit build may refuse
    std::string first = error;
    bits = 16;
    ok = DecodeIjg16(data, size, writer, &error, &corrupt);
    if (!ok && !corrupt) error = first;
  }
  if (!ok && corrupt) CorruptFail("gdcm-jpeg", error);
  if (!ok) DecodeFail("gdcm-jpeg", error);
  return writer.Finish("gdcm-ijg" + std::to_string(bits));
}

}  // namespace dicom
}  // namespace rsna
#endif  // RSNA_HAVE_GDCM_JPEG
