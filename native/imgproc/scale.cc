// Intensity scaling: min_max_scale (ALGORITHMS.md §1.5, §2.2.1) and the numpy
// percentile_min_max_scale (§1.6).
#include <algorithm>
#include <cmath>
#include <limits>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {





std::vector<float> MinMaxScale255(const int16_t* raw, size_t n, bool invert, bool* constant) {
  int16_t lo = std::numeric_limits<int16_t>::max(), hi = std::numeric_limits<int16_t>::min();
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, raw[i]);
    hi = std::max(hi, raw[i]);
  }
  // §1.5.2: max - min in int16 (wraps for ranges > 32767, as torch does); max == min gives zeros
  // (the original then fails on the int16 tensor and uses the full frame, §1.5.3).
  int16_t range = hi > lo ? static_cast<int16_t>(static_cast<int32_t>(hi) - lo) : 0;
  if (constant) *constant = !(hi > lo);
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    float y = MinMaxUnit(raw[i], lo, range) * 255.0f;
    out[i] = invert ? Invert255(y) : y;
  }
  return out;
}

// numpy 1.24 percentile(method='linear') of the sorted values, via a histogram (T is 8/16-bit).
template <typename T>
static double NumpyPercentile(const T* pixels, size_t n, double q) {
  std::vector<size_t> hist(size_t(1) << (8 * sizeof(T)), 0);
  for (size_t i = 0; i < n; ++i) ++hist[pixels[i]];
  auto kth = [&](size_t k) {  // k-th smallest value (0-based)
    size_t seen = 0;
    for (size_t v = 0; v < hist.size(); ++v) {
      seen += hist[v];
      if (seen > k) return static_cast<double>(v);
    }
    return static_cast<double>(hist.size() - 1);
  };
  double virtual_index = static_cast<double>(n - 1) * (q / 100.0);
  double prev_index = std::floor(virtual_index);
  size_t prev = virtual_index >= static_cast<double>(n - 1) ? n - 1 : static_cast<size_t>(prev_index);
  size_t next = std::min(prev + 1, n - 1);
  double gamma = virtual_index - prev_index;
  double a = kth(prev), b = kth(next);
  double diff = b - a;  // uint subtraction in numpy; b >= a, exact
  // numpy _lerp: a + diff*t, but b - diff*(1-t) where t >= 0.5.
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

template <typename T>
std::vector<double> PercentileMinMaxScale(const T* pixels, size_t n) {
  double hi = NumpyPercentile(pixels, n, 99.0) - 1.0;
  T lo_value = *std::min_element(pixels, pixels + n);
  double lo = static_cast<double>(lo_value);
  if (!(hi >= lo)) {
    throw NativeError("ERR_PERCENTILE_RANGE", "percentile_min_max_scale: P99 - 1 (" + std::to_string(hi) +
                                                  ") is below the minimum (" + std::to_string(lo) +
                                                  "); the original asserts here (ALGORITHMS.md §1.6.1)");
  }
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    double diff = static_cast<double>(static_cast<T>(pixels[i] - lo_value));
    double r = hi > lo ? diff / (hi - lo) : diff;
    out[i] = r < 0.0 ? 0.0 : (r > 1.0 ? 1.0 : r);
  }
  return out;
}

template std::vector<double> PercentileMinMaxScale<uint8_t>(const uint8_t*, size_t);
template std::vector<double> PercentileMinMaxScale<uint16_t>(const uint16_t*, size_t);

}  // namespace imgproc
}  // namespace rsna
