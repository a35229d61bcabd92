// Windowing of the raw crop (PIPELINE.md §1.3–§1.4, §1.7.3, §2.8, §3.1.1–3.1.2).
#include <algorithm>
#include <cmath>
#include <limits>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

VoiFunction ParseVoiFunction(const std::string& name) {
  if (name == "LINEAR") return VoiFunction::kLinear;
  if (name == "LINEAR_EXACT") return VoiFunction::kLinearExact;
  if (name == "SIGMOID") return VoiFunction::kSigmoid;
  if (name == "NONE") return VoiFunction::kNone;
  // §1.3.3: anything else raises in the original.
  throw NativeError("ERR_VOI_FUNCTION", "unsupported VOI LUT function '" + name + "'");
}

WindowAffine MakeWindowAffine(const WindowSpec& spec) {
  WindowAffine w{spec.func, 1.0f, 0.0f};
  if (spec.func == VoiFunction::kNone) return w;
  double wc = spec.fp16 ? QuantizeToHalf(spec.center) : spec.center;
  double ww = spec.fp16 ? QuantizeToHalf(spec.width) : spec.width;
  if (!std::isfinite(wc) || !std::isfinite(ww) || !(ww > 0.0)) {
    throw NativeError("ERR_WINDOW", "window width must be > 0 and finite (got center " + std::to_string(wc) +
                                        ", width " + std::to_string(ww) + ")");
  }
  if (spec.func == VoiFunction::kSigmoid) {
    w.scale = static_cast<float>(-4.0 / ww);
    w.offset = static_cast<float>(wc);
    return w;
  }
  if (spec.func == VoiFunction::kLinear) {
    if (ww < 1.0) throw NativeError("ERR_WINDOW", "LINEAR window width must be >= 1 (got " + std::to_string(ww) + ")");
    if (ww == 1.0) throw NativeError("ERR_WINDOW", "LINEAR window width 1 divides by zero in the original (§1.4.1)");
    wc -= 0.5;
    ww -= 1.0;
  }
  w.scale = static_cast<float>(255.0 / ww);
  w.offset = static_cast<float>((-wc / ww + 0.5) * 255.0);
  return w;
}

static void CheckBox(const Box& b, int32_t rows, int32_t cols) {
  if (b.x0 < 0 || b.y0 < 0 || b.x1 > cols || b.y1 > rows || b.x1 <= b.x0 || b.y1 <= b.y0) {
    throw NativeError("ERR_INVALID_BOX", "crop box [" + std::to_string(b.x0) + "," + std::to_string(b.y0) + "," +
                                             std::to_string(b.x1) + "," + std::to_string(b.y1) +
                                             "] is empty or outside the " + std::to_string(rows) + "x" +
                                             std::to_string(cols) + " image");
  }
}

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
