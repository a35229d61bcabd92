// torch bilinear resize (ALGORITHMS.md §2.2.3), the detector letterbox (§2.2.4–2.2.5) and
// resize_and_pad to the classifier size (§3.1.3–3.1.4).
#include <algorithm>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

template <typename T>
static std::vector<typename TorchBilinear<T>::Tap> AxisTaps(int32_t in, int32_t out) {
  std::vector<typename TorchBilinear<T>::Tap> taps(out);
  for (int32_t d = 0; d < out; ++d) taps[d] = TorchBilinear<T>::MakeTap(in, out, d);
  return taps;
}

template <typename T>
void ResizeTorchBilinear(const T* in, int32_t rows, int32_t cols, T* out, int32_t out_rows, int32_t out_cols,
                         size_t out_stride) {
  const auto ty = AxisTaps<T>(rows, out_rows), tx = AxisTaps<T>(cols, out_cols);
  for (int32_t y = 0; y < out_rows; ++y) {
    const auto& v = ty[y];
    const T* r0 = in + static_cast<size_t>(v.i0) * cols;
    const T* r1 = in + static_cast<size_t>(v.i1) * cols;
    T* d = out + static_cast<size_t>(y) * out_stride;
    for (int32_t x = 0; x < out_cols; ++x) {
      const auto& h = tx[x];
      d[x] = TorchBilinear<T>::Mix(r0[h.i0], r0[h.i1], r1[h.i0], r1[h.i1], v, h);
    }
  }
}

template <typename T>
DetectorInputOf<T> DetectorInput(const T* image, int32_t rows, int32_t cols, int32_t size) {
  if (size <= 0 || size > 4096) throw NativeError("ERR_INVALID_SIZE", "detector size must be in 1..4096");
  DetectorInputOf<T> r;
  r.fit = TorchFitSize(rows, cols, size, size);
  r.resized.resize(static_cast<size_t>(r.fit.rows) * r.fit.cols);
  ResizeTorchBilinear(image, rows, cols, r.resized.data(), r.fit.rows, r.fit.cols, r.fit.cols);
  // §2.2.4: 114-filled canvas, resized image at the top-left; §2.2.5: three identical channels.
  const size_t plane = static_cast<size_t>(size) * size;
  r.tensor.assign(plane * 3, 114.0f);
  for (int32_t y = 0; y < r.fit.rows; ++y) {
    const T* s = r.resized.data() + static_cast<size_t>(y) * r.fit.cols;
    float* d = r.tensor.data() + static_cast<size_t>(y) * size;
    for (int32_t x = 0; x < r.fit.cols; ++x) d[x] = static_cast<float>(s[x]);
  }
  std::copy_n(r.tensor.data(), plane, r.tensor.data() + plane);
  std::copy_n(r.tensor.data(), plane, r.tensor.data() + 2 * plane);
  return r;
}

template void ResizeTorchBilinear<float>(const float*, int32_t, int32_t, float*, int32_t, int32_t, size_t);
template void ResizeTorchBilinear<double>(const double*, int32_t, int32_t, double*, int32_t, int32_t, size_t);
template DetectorInputOf<float> DetectorInput<float>(const float*, int32_t, int32_t, int32_t);
template DetectorInputOf<double> DetectorInput<double>(const double*, int32_t, int32_t, int32_t);

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
