// windowToUint8: 'original' mode follows the winning pipeline (int16 cast, §1.4 float32 windowing or
// §1.5 min-max, §1.7.3 inversion, §1.7.1 truncation); 'standard' mode is DICOM PS3.3 C.11.2.1.2 in
// double precision (rescale, window or full-range min-max, MONOCHROME1 inversion, floor(y*255) as DCMTK).
#include "imgproc/display.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include "addon/errors.h"

namespace rsna {
namespace imgproc {

template <typename T>
static std::vector<uint8_t> OriginalMode(const T* pixels, size_t n, const DisplayParams& p) {
  std::vector<uint8_t> out(n);
  if constexpr (std::is_floating_point_v<T>) {
    // Not a stored-value type of the original: window/min-max the float values directly in float32.
    WindowAffine w = MakeWindowAffine(p.window);
    float lo = INFINITY, hi = -INFINITY;
    if (w.func == VoiFunction::kNone) {
      for (size_t i = 0; i < n; ++i) { lo = std::min(lo, static_cast<float>(pixels[i])); hi = std::max(hi, static_cast<float>(pixels[i])); }
    }
    for (size_t i = 0; i < n; ++i) {
      float x = static_cast<float>(pixels[i]);
      float y = w.func == VoiFunction::kNone ? (hi > lo ? (x - lo) / (hi - lo) : x - lo) * 255.0f : WindowValue(x, w);
      out[i] = TruncateU8(p.invert ? Invert255(y) : y);
    }
    return out;
  } else {
    // img.astype(np.int16) as the original does before any step (wraps values above 32767).
    std::vector<int16_t> raw(n);
    for (size_t i = 0; i < n; ++i) raw[i] = static_cast<int16_t>(pixels[i]);
    if (p.window.func == VoiFunction::kNone) {
      std::vector<float> f = MinMaxScale255(raw.data(), n, p.invert);
      for (size_t i = 0; i < n; ++i) out[i] = TruncateU8(f[i]);
      return out;
    }
    WindowAffine w = MakeWindowAffine(p.window);
    for (size_t i = 0; i < n; ++i) {
      float y = WindowValue(static_cast<float>(raw[i]), w);
      out[i] = TruncateU8(p.invert ? Invert255(y) : y);
    }
    return out;
  }
}

// PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT, SIGMOID) with output range [0, 1], in double.
static double StandardVoi(double x, VoiFunction f, double c, double w) {
  switch (f) {
    case VoiFunction::kLinear:
      if (w == 1.0) return x <= c - 0.5 ? 0.0 : 1.0;  // degenerate width: a step
      if (x <= c - 0.5 - (w - 1.0) / 2.0) return 0.0;
      if (x > c - 0.5 + (w - 1.0) / 2.0) return 1.0;
      return (x - (c - 0.5)) / (w - 1.0) + 0.5;
    case VoiFunction::kLinearExact:
      if (x <= c - w / 2.0) return 0.0;
      if (x > c + w / 2.0) return 1.0;
      return (x - c) / w + 0.5;
    default:
      return 1.0 / (1.0 + std::exp(-4.0 * (x - c) / w));
  }
}

template <typename T>
static std::vector<uint8_t> StandardMode(const T* pixels, size_t n, const DisplayParams& p) {
  std::vector<uint8_t> out(n);
  const VoiFunction f = p.window.func;
  const double c = p.window.center, w = p.window.width;
  if (f != VoiFunction::kNone) {
    if (!std::isfinite(c) || !std::isfinite(w) || !(w > 0.0) || (f == VoiFunction::kLinear && w < 1.0)) {
      throw NativeError("ERR_WINDOW", "invalid window (center " + std::to_string(c) + ", width " + std::to_string(w) + ")");
    }
  }
  double lo = INFINITY, hi = -INFINITY;
  if (f == VoiFunction::kNone) {
    for (size_t i = 0; i < n; ++i) {
      double v = static_cast<double>(pixels[i]) * p.slope + p.intercept;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    double v = static_cast<double>(pixels[i]) * p.slope + p.intercept;
    double y = f == VoiFunction::kNone ? (hi > lo ? (v - lo) / (hi - lo) : 0.0) : StandardVoi(v, f, c, w);
    if (p.invert) y = 1.0 - y;  // presentation: MONOCHROME1 shown inverted
    // Output range normalised to [0, 1] and scaled with floor(y*255), as DCMTK's 8-bit output truncates.
    double r = std::floor(y * 255.0);
    out[i] = static_cast<uint8_t>(r < 0.0 ? 0.0 : (r > 255.0 ? 255.0 : r));
  }
  return out;
}

template <typename T>
std::vector<uint8_t> WindowToUint8(const T* pixels, size_t n, const DisplayParams& params) {
  return params.standard ? StandardMode(pixels, n, params) : OriginalMode(pixels, n, params);
}

template std::vector<uint8_t> WindowToUint8<int16_t>(const int16_t*, size_t, const DisplayParams&);
template std::vector<uint8_t> WindowToUint8<uint16_t>(const uint16_t*, size_t, const DisplayParams&);
template std::vector<uint8_t> WindowToUint8<int32_t>(const int32_t*, size_t, const DisplayParams&);
template std::vector<uint8_t> WindowToUint8<float>(const float*, size_t, const DisplayParams&);

}  // namespace imgproc
}  // namespace rsna
