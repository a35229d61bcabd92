// OpenCV cv::resize(INTER_LINEAR) on uint8 with its fixed-point arithmetic and albumentations'
// centered PadIfNeeded (ALGORITHMS.md §3.2.3, training path).
#include <algorithm>
#include <cmath>
#include <cfloat>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

// cv::resize turns INTER_LINEAR into INTER_AREA for an exact 2x2 downscale: rounded 2x2 mean.
static bool IsExactHalving(int32_t rows, int32_t cols, int32_t out_rows, int32_t out_cols) {
  double sx = 1.0 / (static_cast<double>(out_cols) / cols), sy = 1.0 / (static_cast<double>(out_rows) / rows);
  return std::fabs(sx - 2.0) < DBL_EPSILON && std::fabs(sy - 2.0) < DBL_EPSILON;
}

void CvResizeLinearU8(const uint8_t* in, int32_t rows, int32_t cols, uint8_t* out, int32_t out_rows,
                      int32_t out_cols, size_t out_stride) {
  if (rows == out_rows && cols == out_cols) {  // cv::resize copies when the size is unchanged
    for (int32_t y = 0; y < rows; ++y) std::copy_n(in + static_cast<size_t>(y) * cols, cols, out + y * out_stride);
    return;
  }
  if (IsExactHalving(rows, cols, out_rows, out_cols)) {
    for (int32_t y = 0; y < out_rows; ++y) {
      const uint8_t* r0 = in + static_cast<size_t>(2 * y) * cols;
      const uint8_t* r1 = r0 + cols;
      for (int32_t x = 0; x < out_cols; ++x) {
        out[y * out_stride + x] = static_cast<uint8_t>((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
      }
    }
    return;
  }
  std::vector<CvTap> tx(out_cols), ty(out_rows);
  for (int32_t x = 0; x < out_cols; ++x) tx[x] = CvLinearTap(cols, out_cols, x, true);
  for (int32_t y = 0; y < out_rows; ++y) ty[y] = CvLinearTap(rows, out_rows, y, false);
  // Horizontal pass of the two source rows into int (S*a0 + S'*a1), then the exact vertical recipe.
  std::vector<int32_t> h0(out_cols), h1(out_cols);
  auto horizontal = [&](int32_t src_row, std::vector<int32_t>& dst) {
    int32_t r = std::min(std::max(src_row, 0), rows - 1);
    const uint8_t* s = in + static_cast<size_t>(r) * cols;
    for (int32_t x = 0; x < out_cols; ++x) {
      const CvTap& t = tx[x];
      dst[x] = t.a1 == 0 ? s[t.s0] * t.a0 : s[t.s0] * t.a0 + s[t.s0 + 1] * t.a1;
    }
  };
  int32_t have0 = INT32_MIN, have1 = INT32_MIN;
  for (int32_t y = 0; y < out_rows; ++y) {
    const CvTap& t = ty[y];
    int32_t want0 = std::min(std::max(t.s0, 0), rows - 1), want1 = std::min(std::max(t.s0 + 1, 0), rows - 1);
    if (want0 != have0) {
      if (want0 == have1) { std::swap(h0, h1); std::swap(have0, have1); }
      else { horizontal(want0, h0); have0 = want0; }
    }
    if (want1 != have1) { horizontal(want1, h1); have1 = want1; }
    uint8_t* d = out + y * out_stride;
    for (int32_t x = 0; x < out_cols; ++x) d[x] = CvVerticalU8(h0[x], h1[x], t.a0, t.a1);
  }
}

std::vector<uint8_t> TrainingResizeU8(const uint8_t* in, int32_t rows, int32_t cols, int32_t out_rows,
                                      int32_t out_cols) {
  FitSize fit = CvFitSize(rows, cols, out_rows, out_cols);
  // PadIfNeeded(position center): top = int((H - h) / 2); a dimension already larger is left as is.
  const int32_t top = std::max(0, (out_rows - fit.rows) / 2), left = std::max(0, (out_cols - fit.cols) / 2);
  std::vector<uint8_t> out(static_cast<size_t>(out_rows) * out_cols, 0);
  CvResizeLinearU8(in, rows, cols, out.data() + static_cast<size_t>(top) * out_cols + left, fit.rows, fit.cols,
                   out_cols);
  return out;
}

}  // namespace imgproc
}  // namespace rsna
