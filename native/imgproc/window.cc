// Windowing of the raw crop (ALGORITHMS.md §1.3–§1.4, §1.7.3, §2.8, §3.1.1–3.1.2).
#include <algorithm>
#include <cmath>
#include <limits>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {




std::vector<float> WindowedCrop(const int16_t* raw, int32_t rows, int32_t cols, const Box& box,
                                const WindowSpec& spec, bool invert) {
  CheckBox(box, rows, cols);
  const int32_t h = box.y1 - box.y0, w = box.x1 - box.x0;
  WindowAffine affine = MakeWindowAffine(spec);
  std::vector<float> out(static_cast<size_t>(h) * w);
  auto src_row = [&](int32_t y) { return raw + static_cast<size_t>(box.y0 + y) * cols + box.x0; };
  if (affine.func == VoiFunction::kNone) {
    // §1.4.6: min-max*255 of the crop (int16 semantics of §1.5).
    int16_t lo = std::numeric_limits<int16_t>::max(), hi = std::numeric_limits<int16_t>::min();
    for (int32_t y = 0; y < h; ++y) {
      const int16_t* s = src_row(y);
      for (int32_t x = 0; x < w; ++x) { lo = std::min(lo, s[x]); hi = std::max(hi, s[x]); }
    }
    int16_t range = hi > lo ? static_cast<int16_t>(static_cast<int32_t>(hi) - lo) : 0;
    for (int32_t y = 0; y < h; ++y) {
      const int16_t* s = src_row(y);
      float* d = out.data() + static_cast<size_t>(y) * w;
      for (int32_t x = 0; x < w; ++x) {
        float v = MinMaxUnit(s[x], lo, range) * 255.0f;
        d[x] = invert ? Invert255(v) : v;
      }
    }
    return out;
  }
  for (int32_t y = 0; y < h; ++y) {
    const int16_t* s = src_row(y);
    float* d = out.data() + static_cast<size_t>(y) * w;
    for (int32_t x = 0; x < w; ++x) {
      float v = WindowValue(static_cast<float>(s[x]), affine);
      d[x] = invert ? Invert255(v) : v;
    }
  }
  return out;
}

}  // namespace imgproc
}  // namespace rsna
