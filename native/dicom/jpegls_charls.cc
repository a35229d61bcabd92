// JPEG-LS lossless/near-lossless (.80/.81) through the system CharLS. CharLS writes planar output
// for interleave mode "none" and pixel-interleaved otherwise; both are re-interleaved canonically.
#ifdef RSNA_HAVE_CHARLS
#include <charls/charls.h>
#include "codecs.h"

namespace rsna {
namespace dicom {

template <typename T>
static void WriteSamples(CanonicalWriter& writer, const std::vector<uint8_t>& buffer, bool planar, uint32_t components, size_t pixels) {
  const T* src = reinterpret_cast<const T*>(buffer.data());
  if (planar) {
    for (uint32_t c = 0; c < components; ++c) writer.SetComponentRow(0, c, src + size_t(c) * pixels, pixels);
  } else {
    for (size_t i = 0; i < pixels * components; ++i) writer.Set(i, static_cast<int64_t>(src[i]));
  }
}

DecodedFrame DecodeCharls(const uint8_t* data, size_t size, const FrameSpec& spec) {
  CanonicalWriter writer(spec);
  try {
    charls::jpegls_decoder decoder(data, size, true);
    const charls::frame_info info = decoder.frame_info();
    if (info.width != spec.columns || info.height != spec.rows)
      DecodeFail("charls", "codestream is " + std::to_string(info.width) + "x" + std::to_string(info.height) + ", the DICOM header says " +
                               std::to_string(spec.columns) + "x" + std::to_string(spec.rows));
    if (uint32_t(info.component_count) != spec.samplesPerPixel)
      DecodeFail("charls", "codestream has " + std::to_string(info.component_count) + " components, SamplesPerPixel is " + std::to_string(spec.samplesPerPixel));
    if (info.bits_per_sample < 2 || info.bits_per_sample > 16) DecodeFail("charls", "unsupported precision " + std::to_string(info.bits_per_sample));
    const size_t pixels = size_t(info.width) * info.height;
    const size_t bytesPerSample = info.bits_per_sample <= 8 ? 1 : 2;
    const size_t expected = CheckedBytes(pixels, info.component_count, bytesPerSample);
    if (decoder.destination_size() != expected) DecodeFail("charls", "unexpected output size");
    writer.Allocate();
    std::vector<uint8_t> buffer(expected);
    try {
      decoder.decode(buffer.data(), buffer.size());
    } catch (const charls::jpegls_error& e) {
      CorruptFail("charls", e.what());  // header accepted, scan data damaged: final (no fallback)
    }
    const bool planar = decoder.interleave_mode() == charls::interleave_mode::none && info.component_count > 1;
    if (bytesPerSample == 1) WriteSamples<uint8_t>(writer, buffer, planar, info.component_count, pixels);
    else WriteSamples<uint16_t>(writer, buffer, planar, info.component_count, pixels);
  } catch (const charls::jpegls_error& e) {
    DecodeFail("charls", e.what());
  }
  return writer.Finish(std::string("charls-") + charls_get_version_string());
}

}  // namespace dicom
}  // namespace rsna
#endif  // RSNA_HAVE_CHARLS
