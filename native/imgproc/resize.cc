// torch bilinear resize (PIPELINE.md §2.2.3), the detector letterbox (§2.2.4–2.2.5) and
// resize_and_pad to the classifier size (§3.1.3–3.1.4).
#include <algorithm>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

static std::vector<AxisTap> AxisTaps(int32_t in, int32_t out) {
  std::vector<AxisTap> taps(out);
  for (int32_t d = 0; d < out; ++d) taps[d] = TorchAxisTap(in, out, d);
  return taps;
}

void ResizeTorchBilinear(const float* in, int32_t rows, int32_t cols, float* out, int32_t out_rows,
                         int32_t out_cols, size_t out_stride) {
  const std::vector<AxisTap> ty = AxisTaps(rows, out_rows), tx = AxisTaps(cols, out_cols);
  for (int32_t y = 0; y < out_rows; ++y) {
    const AxisTap& v = ty[y];
    const float* r0 = in + static_cast<size_t>(v.i0) * cols;
    const float* r1 = in + static_cast<size_t>(v.i1) * cols;
    float* d = out + static_cast<size_t>(y) * out_stride;
    for (int32_t x = 0; x < out_cols; ++x) {
      const AxisTap& h = tx[x];
      d[x] = BilinearTap(r0[h.i0], r0[h.i1], r1[h.i0], r1[h.i1], v.l0, v.l1, h.l0, h.l1);
    }
  }
}

DetectorInputResult DetectorInput(const float* image, int32_t rows, int32_t cols, int32_t size) {
  if (size <= 0 || size > 4096) throw NativeError("ERR_INVALID_SIZE", "detector size must be in 1..4096");
  DetectorInputResult r;
  r.fit = TorchFitSize(rows, cols, size, size);
  r.resized.resize(static_cast<size_t>(r.fit.rows) * r.fit.cols);
  ResizeTorchBilinear(image, rows, cols, r.resized.data(), r.fit.rows, r.fit.cols, r.fit.cols);
  // §2.2.4: 114-filled canvas, resized image at the top-left; §2.2.5: three identical channels.
  const size_t plane = static_cast<size_t>(size) * size;
  r.tensor.assign(plane * 3, 114.0f);
  for (int32_t y = 0; y < r.fit.rows; ++y) {
    std::copy_n(r.resized.data() + static_cast<size_t>(y) * r.fit.cols, r.fit.cols,
                r.tensor.data() + static_cast<size_t>(y) * size);
  }
  std::copy_n(r.tensor.data(), plane, r.tensor.data() + plane);
  std::copy_n(r.tensor.data(), plane, r.tensor.data() + 2 * plane);
  return r;
}

std::vector<uint8_t> ResizeAndPadU8(const float* crop, int32_t rows, int32_t cols, int32_t out_rows,
                                    int32_t out_cols) {
  FitSize fit = TorchFitSize(rows, cols, out_rows, out_cols);
  const int32_t top = (out_rows - fit.rows) / 2, left = (out_cols - fit.cols) / 2;
  std::vector<float> resized(static_cast<size_t>(fit.rows) * fit.cols);
  ResizeTorchBilinear(crop, rows, cols, resized.data(), fit.rows, fit.cols, fit.cols);
  std::vector<uint8_t> out(static_cast<size_t>(out_rows) * out_cols, 0);  // zero canvas truncates to 0
  for (int32_t y = 0; y < fit.rows; ++y) {
    const float* s = resized.data() + static_cast<size_t>(y) * fit.cols;
    uint8_t* d = out.data() + static_cast<size_t>(top + y) * out_cols + left;
    for (int32_t x = 0; x < fit.cols; ++x) d[x] = TruncateU8(s[x]);
  }
  return out;
}

}  // namespace imgproc
}  // namespace rsna
