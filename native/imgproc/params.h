// Host-side parameter rules shared by the CPU kernels and the CUDA launchers (header-only so the
// CUDA addon, which compiles no .cc file, gets the same sizes and window constants):
// fit-resize sizes (ALGORITHMS.md §2.2.2, §3.1.3, §3.2.3) and the window constants (§1.3–§1.4).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include "addon/errors.h"
#include "imgproc/pixel_math.h"

namespace rsna {
namespace imgproc {

// End-exclusive crop box in full-resolution pixels (§2.8).
struct Box {
  int32_t x0, y0, x1, y1;
};

// Output size of a "fit" resize: r = min(th/rows, tw/cols) (double), size floor(rows*r), floor(cols*r).
struct FitSize {
  double ratio;
  int32_t rows, cols;
};

// Window of one image as parsed from its tags (§1.3): func kNone when the tags are absent.
struct WindowSpec {
  VoiFunction func = VoiFunction::kNone;
  double center = 0.0, width = 0.0;
  bool fp16 = false;  // §1.3.5 DALI-branch quantization (documented option, off by default)
};

// rows*cols after checking both are positive and the byte size is sane (before any allocation).
inline size_t PixelCount(int32_t rows, int32_t cols, size_t elem_size) {
  if (rows <= 0 || cols <= 0) {
    throw NativeError("ERR_INVALID_SIZE", "image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                                              " is not positive");
  }
  CheckedBytes(static_cast<size_t>(rows), static_cast<size_t>(cols), elem_size);
  return static_cast<size_t>(rows) * static_cast<size_t>(cols);
}

// torch and cv2 refuse an empty output size; the original then falls back to the full frame (§2.7) or fails.
inline void CheckResizedSize(int32_t rows, int32_t cols, int32_t out_rows, int32_t out_cols) {
  if (out_rows <= 0 || out_cols <= 0) {
    throw NativeError("ERR_EMPTY_RESIZE", "resizing " + std::to_string(rows) + "x" + std::to_string(cols) +
                                              " gives an empty " + std::to_string(out_rows) + "x" +
                                              std::to_string(out_cols) + " image");
  }
}

inline FitSize TorchFitSize(int32_t rows, int32_t cols, int32_t target_rows, int32_t target_cols) {
  FitSize f;
  f.ratio = std::min(static_cast<double>(target_rows) / rows, static_cast<double>(target_cols) / cols);
  // recompute_scale_factor=True: floor(float(in) * r) in double (415 instead of 416 happens, §2.2.2).
  f.rows = static_cast<int32_t>(std::floor(static_cast<double>(rows) * f.ratio));
  f.cols = static_cast<int32_t>(std::floor(static_cast<double>(cols) * f.ratio));
  CheckResizedSize(rows, cols, f.rows, f.cols);
  return f;
}

inline FitSize CvFitSize(int32_t rows, int32_t cols, int32_t target_rows, int32_t target_cols) {
  FitSize f;
  f.ratio = std::min(static_cast<double>(target_rows) / rows, static_cast<double>(target_cols) / cols);
  f.rows = static_cast<int32_t>(static_cast<double>(rows) * f.ratio);  // Python int(): truncation
  f.cols = static_cast<int32_t>(static_cast<double>(cols) * f.ratio);
  CheckResizedSize(rows, cols, f.rows, f.cols);
  return f;
}

inline VoiFunction ParseVoiFunction(const std::string& name) {
  if (name == "LINEAR") return VoiFunction::kLinear;
  if (name == "LINEAR_EXACT") return VoiFunction::kLinearExact;
  if (name == "SIGMOID") return VoiFunction::kSigmoid;
  if (name == "NONE") return VoiFunction::kNone;
  // §1.3.3: anything else raises in the original.
  throw NativeError("ERR_VOI_FUNCTION", "unsupported VOI LUT function '" + name + "'");
}

// §1.4.4: the float32 constants of a window (validated: ww > 0; LINEAR needs ww > 1).
inline WindowAffine MakeWindowAffine(const WindowSpec& spec) {
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

// Crop box inside the image and non-empty (§2.8, end-exclusive).
inline void CheckBox(const Box& b, int32_t rows, int32_t cols) {
  if (b.x0 < 0 || b.y0 < 0 || b.x1 > cols || b.y1 > rows || b.x1 <= b.x0 || b.y1 <= b.y0) {
    throw NativeError("ERR_INVALID_BOX", "crop box [" + std::to_string(b.x0) + "," + std::to_string(b.y0) + "," +
                                             std::to_string(b.x1) + "," + std::to_string(b.y1) +
                                             "] is empty or outside the " + std::to_string(rows) + "x" +
                                             std::to_string(cols) + " image");
  }
}

}  // namespace imgproc
}  // namespace rsna
