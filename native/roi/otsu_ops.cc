// See otsu_ops.h. Compiled with -ffp-contract=off: the percentile and Otsu arithmetic is double with
// the original's rounding steps.
#include "roi/otsu_ops.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

namespace rsna {
namespace roi {

namespace {

std::array<int64_t, 256> Histogram(const U8Image& img) {
  std::array<int64_t, 256> h{};
  for (uint8_t v : img) ++h[v];
  return h;
}

// k-th smallest value (0-based) from a histogram; equals the sorted array's element k.
int OrderStatistic(const std::array<int64_t, 256>& h, int64_t k) {
  int64_t seen = 0;
  for (int v = 0; v < 256; ++v) {
    seen += h[v];
    if (seen > k) return v;
  }
  return 255;
}

// OpenCV borderInterpolate for BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba).
int Reflect101(int p, int len) {
  if (len == 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * (len - 1) - p;
  return p;
}

}  // namespace

double PercentileU8(const U8Image& img, double q) {
  const int64_t n = static_cast<int64_t>(img.size());
  const auto h = Histogram(img);
  const double quantile = q / 100.0;                         // np.true_divide(q, 100)
  const double virtual_index = static_cast<double>(n - 1) * quantile;  // 'linear': (n − 1)·q
  const double prev_index = std::floor(virtual_index);
  int64_t lo, hi;
  if (virtual_index >= static_cast<double>(n - 1)) {
    lo = hi = n - 1;                                         // above bounds: both take the last element
  } else {
    lo = static_cast<int64_t>(prev_index);
    hi = lo + 1;
  }
  const double gamma = virtual_index - (virtual_index >= static_cast<double>(n - 1) ? -1.0 : prev_index);
  const int a = OrderStatistic(h, lo);
  const int b = OrderStatistic(h, hi);
  const double diff = static_cast<double>(b - a);           // uint8 subtraction, b ≥ a
  if (gamma >= 0.5) return static_cast<double>(b) - diff * (1.0 - gamma);
  return static_cast<double>(a) + diff * gamma;
}

U8Image GaussianBlur5x5(const U8Image& img, int height, int width) {
  // getGaussianKernel(5, 0) = [1, 4, 6, 4, 1]/16 is exact in OpenCV's Q8 ufixedpoint16.
  static const uint32_t kTaps5[5] = {16, 64, 96, 64, 16};
  static const uint32_t kTap1[1] = {256};
  // GaussianBlur shrinks the kernel to 1 along an axis of length 1 (non-constant border, whole Mat).
  const uint32_t* kx = width == 1 ? kTap1 : kTaps5;
  const uint32_t* ky = height == 1 ? kTap1 : kTaps5;
  const int rx = width == 1 ? 0 : 2;
  const int ry = height == 1 ? 0 : 2;
  const size_t w = static_cast<size_t>(width);

  std::vector<uint32_t> rows(img.size());  // Q8 horizontal sums, at most 255·256
  std::vector<int> xmap(static_cast<size_t>(width) * (2 * rx + 1));
  for (int x = 0; x < width; ++x) {
    for (int i = -rx; i <= rx; ++i) xmap[static_cast<size_t>(x) * (2 * rx + 1) + (i + rx)] = Reflect101(x + i, width);
  }
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = img.data() + y * w;
    uint32_t* dst = rows.data() + y * w;
    auto reflected = [&](int x) {
      const int* idx = &xmap[static_cast<size_t>(x) * (2 * rx + 1)];
      uint32_t s = 0;
      for (int i = 0; i <= 2 * rx; ++i) s += kx[i] * src[idx[i]];
      dst[x] = s;
    };
    if (rx == 2 && width >= 5) {
      // Interior without the border table: the same integer sums, in a loop the compiler vectorizes.
      reflected(0), reflected(1), reflected(width - 2), reflected(width - 1);
      for (int x = 2; x < width - 2; ++x) {
        dst[x] = 16u * (uint32_t(src[x - 2]) + src[x + 2]) + 64u * (uint32_t(src[x - 1]) + src[x + 1]) + 96u * src[x];
      }
    } else {
      for (int x = 0; x < width; ++x) reflected(x);
    }
  }
  U8Image out(img.size());
  std::vector<const uint32_t*> taps(2 * ry + 1);
  for (int y = 0; y < height; ++y) {
    for (int j = -ry; j <= ry; ++j) taps[j + ry] = rows.data() + static_cast<size_t>(Reflect101(y + j, height)) * w;
    uint8_t* dst = out.data() + y * w;
    if (ry == 2) {
      const uint32_t *r0 = taps[0], *r1 = taps[1], *r2 = taps[2], *r3 = taps[3], *r4 = taps[4];
      for (int x = 0; x < width; ++x) {
        const uint32_t s = 16u * (r0[x] + r4[x]) + 64u * (r1[x] + r3[x]) + 96u * r2[x];  // Q16, ≤ 255·65536
        dst[x] = static_cast<uint8_t>((s + (1u << 15)) >> 16);
      }
      continue;
    }
    for (int x = 0; x < width; ++x) {
      uint32_t s = 0;  // Q16, at most 255·65536
      for (int j = 0; j <= 2 * ry; ++j) s += ky[j] * taps[j][x];
      dst[x] = static_cast<uint8_t>((s + (1u << 15)) >> 16);
    }
  }
  return out;
}

int OtsuThreshold(const U8Image& img) {
  const auto h = Histogram(img);
  const double scale = 1.0 / static_cast<double>(img.size());
  double mu = 0;
  for (int i = 0; i < 256; ++i) mu += i * static_cast<double>(h[i]);
  mu *= scale;
  double mu1 = 0, q1 = 0, max_sigma = 0;
  int max_val = 0;
  for (int i = 0; i < 256; ++i) {
    const double p_i = static_cast<double>(h[i]) * scale;
    mu1 *= q1;
    q1 += p_i;
    const double q2 = 1.0 - q1;
    if (std::min(q1, q2) < FLT_EPSILON || std::max(q1, q2) > 1.0 - FLT_EPSILON) continue;
    mu1 = (mu1 + i * p_i) / q1;
    const double mu2 = (mu - q1 * mu1) / q2;
    const double sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > max_sigma) {
      max_sigma = sigma;
      max_val = i;
    }
  }
  return max_val;
}

U8Image ThresholdBinary(const U8Image& img, int thr) {
  U8Image out(img.size());
  if (thr >= 255) return out;  // OpenCV: nothing can exceed 255 → all zero
  for (size_t i = 0; i < img.size(); ++i) out[i] = img[i] > thr ? 255 : 0;
  return out;
}

U8Image Dilate3x3(const U8Image& img, int height, int width) {
  // The max over a 3×3 window (clipped at the image edge) is the max over its rows of each row's
  // 3-wide max: two separable passes, each a loop the compiler vectorizes.
  const size_t w = static_cast<size_t>(width);
  U8Image rowMax(img.size());
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = img.data() + y * w;
    uint8_t* dst = rowMax.data() + y * w;
    if (width == 1) { dst[0] = row[0]; continue; }
    dst[0] = std::max(row[0], row[1]);
    for (int x = 1; x < width - 1; ++x) dst[x] = std::max(std::max(row[x - 1], row[x]), row[x + 1]);
    dst[width - 1] = std::max(row[width - 2], row[width - 1]);
  }
  U8Image out(img.size());
  for (int y = 0; y < height; ++y) {
    const uint8_t* a = rowMax.data() + std::max(y - 1, 0) * w;
    const uint8_t* b = rowMax.data() + y * w;
    const uint8_t* c = rowMax.data() + std::min(y + 1, height - 1) * w;
    uint8_t* dst = out.data() + y * w;
    for (int x = 0; x < width; ++x) dst[x] = std::max(std::max(a[x], b[x]), c[x]);
  }
  return out;
}

}  // namespace roi
}  // namespace rsna
