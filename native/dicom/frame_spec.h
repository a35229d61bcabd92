// What a codec must produce for one DICOM frame, and the canonical writer every codec shares:
// samples interleaved, natural dtype (BitsAllocated 8/16/32), each value reduced to the DICOM stored
// value (low BitsStored bits, sign-extended when PixelRepresentation is 1; MANIFEST.json's rule).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#include "addon/errors.h"

namespace rsna {
namespace dicom {

// Pixels above this count are refused before any allocation (fuzzed headers can claim anything).
constexpr size_t kMaxFramePixels = size_t(1) << 28;

struct FrameSpec {
  uint32_t rows = 0;
  uint32_t columns = 0;
  uint32_t samplesPerPixel = 1;
  uint32_t bitsAllocated = 16;
  uint32_t bitsStored = 16;
  bool isSigned = false;  // PixelRepresentation 1
  int threads = 0;        // codec threads (0: codec default)
};

struct DecodedFrame {
  std::vector<uint8_t> bytes;  // canonical samples, little endian (host order on x86/arm)
  std::string decoder;         // e.g. "openjpeg-2.5.0"
};

// Throws ERR_DICOM_DECODE with the codec name.
[[noreturn]] inline void DecodeFail(const std::string& codec, const std::string& what) {
  throw NativeError("ERR_DICOM_DECODE", codec + ": " + what);
}

// Throws ERR_DICOM_CORRUPT: the codec found damaged data (a warning, a short scan), which another
// decoder must not be asked to paper over.
[[noreturn]] inline void CorruptFail(const std::string& codec, const std::string& what) {
  throw NativeError("ERR_DICOM_CORRUPT", codec + ": " + what);
}

// Checks the spec once, then writes reduced stored values into a canonical buffer.
class CanonicalWriter {
 public:
  explicit CanonicalWriter(const FrameSpec& spec) : spec_(spec) {
    const uint32_t ba = spec.bitsAllocated;
    if (ba != 8 && ba != 16 && ba != 32) throw NativeError("ERR_DICOM_UNSUPPORTED", "BitsAllocated " + std::to_string(ba) + " is not supported");
    if (spec.bitsStored < 1 || spec.bitsStored > ba) throw NativeError("ERR_DICOM_HEADER", "BitsStored " + std::to_string(spec.bitsStored) + " is outside 1.." + std::to_string(ba));
    if (spec.samplesPerPixel < 1 || spec.samplesPerPixel > 4) throw NativeError("ERR_DICOM_HEADER", "SamplesPerPixel " + std::to_string(spec.samplesPerPixel) + " is not supported");
    samples_ = CheckedBytes(spec.rows, spec.columns, spec.samplesPerPixel);
    if (samples_ == 0) throw NativeError("ERR_DICOM_HEADER", "the frame has no pixels");
    if (samples_ / spec.samplesPerPixel > kMaxFramePixels) throw NativeError("ERR_DICOM_TOO_LARGE", "the frame has more than 2^28 pixels");
    bytesPerSample_ = ba / 8;
    CheckedBytes(samples_, bytesPerSample_);
    maskBa_ = ba == 32 ? 0xFFFFFFFFll : ((int64_t(1) << ba) - 1);
    maskBs_ = (int64_t(1) << spec.bitsStored) - 1;
    half_ = int64_t(1) << (spec.bitsStored - 1);
  }

  size_t samples() const { return samples_; }

  // Allocates the output. Each codec calls it only after the codestream's own header agreed with
  // the DICOM header, so a small file claiming a huge frame costs nothing.
  void Allocate() { bytes_.assign(samples_ * bytesPerSample_, 0); }
  const FrameSpec& spec() const { return spec_; }

  // The stored value of a decoder's integer sample (any sign/precision the codestream had).
  inline int64_t Reduce(int64_t v) const {
    int64_t r = (v & maskBa_) & maskBs_;
    if (spec_.isSigned && r >= half_) r -= (half_ << 1);
    return r;
  }

  inline void Set(size_t index, int64_t v) {
    const int64_t r = Reduce(v);
    switch (bytesPerSample_) {
      case 1: bytes_[index] = static_cast<uint8_t>(r); break;
      case 2: { uint16_t x = static_cast<uint16_t>(r); std::memcpy(&bytes_[index * 2], &x, 2); break; }
      default: { uint32_t x = static_cast<uint32_t>(r); std::memcpy(&bytes_[index * 4], &x, 4); break; }
    }
  }

  // Writes `count` samples of one component from src (step 1) to interleaved positions.
  template <typename T>
  void SetComponentRow(size_t firstPixel, uint32_t component, const T* src, size_t count) {
    const size_t spp = spec_.samplesPerPixel;
    size_t index = firstPixel * spp + component;
    for (size_t i = 0; i < count; ++i, index += spp) Set(index, static_cast<int64_t>(src[i]));
  }

  DecodedFrame Finish(std::string decoder) {
    if (bytes_.size() != samples_ * bytesPerSample_) throw NativeError("ERR_NATIVE", "codec finished without output");
    DecodedFrame out;
    out.bytes = std::move(bytes_);
    out.decoder = std::move(decoder);
    return out;
  }

 private:
  FrameSpec spec_;
  size_t samples_ = 0;
  size_t bytesPerSample_ = 2;
  int64_t maskBa_ = 0, maskBs_ = 0, half_ = 0;
  std::vector<uint8_t> bytes_;
};

}  // namespace dicom
}  // namespace rsna
