// CPU pixel kernels of the preprocessing stage (ALGORITHMS.md §1.4–§1.7, §2.2, §2.8, §3.1, §3.2.3).
// Each works on owned buffers and checked sizes; the N-API glue (imgproc_napi.cc) only converts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "imgproc/params.h"
#include "imgproc/pixel_math.h"

namespace rsna {
namespace imgproc {


// §2.2.1 / §1.5: min_max_scale(int16) * 255 as float32, then 255 - x when invert. `constant` (when
// given) is set to whether every value is the same (§1.5.3: the original then uses the full frame).
std::vector<float> MinMaxScale255(const int16_t* raw, size_t n, bool invert, bool* constant = nullptr);

// §1.6: numpy percentile_min_max_scale (P99 linear − 1, true minimum, clip [0,1]) in float64.
template <typename T>
std::vector<double> PercentileMinMaxScale(const T* pixels, size_t n);

// §2.8 + §3.1.1–3.1.2: crop raw values, window (or min-max*255 of the crop), invert; float32 crop.
std::vector<float> WindowedCrop(const int16_t* raw, int32_t rows, int32_t cols, const Box& box,
                                const WindowSpec& spec, bool invert);

// §2.2.3: torch bilinear (align_corners False, recompute_scale_factor True) to out_rows x out_cols
// (T = float: the float32 kernel; T = double: the float64 one).
template <typename T>
void ResizeTorchBilinear(const T* in, int32_t rows, int32_t cols, T* out, int32_t out_rows, int32_t out_cols,
                         size_t out_stride);

// §2.2.2–2.2.5: detector tensor 1x3xSxS float32 (top-left letterbox, 114; `.float()` of a float64
// image) and the resized image in the input's type.
template <typename T>
struct DetectorInputOf {
  std::vector<float> tensor;
  std::vector<T> resized;
  FitSize fit;
};
using DetectorInputResult = DetectorInputOf<float>;

template <typename T>
DetectorInputOf<T> DetectorInput(const T* image, int32_t rows, int32_t cols, int32_t size);

// §3.1.3–3.1.4: resize_and_pad (centered, zeros) and truncation to uint8 (single channel).
std::vector<uint8_t> ResizeAndPadU8(const float* crop, int32_t rows, int32_t cols, int32_t out_rows,
                                    int32_t out_cols);

// §3.2.3: OpenCV INTER_LINEAR on uint8 (fixed point) to out_rows x out_cols into `out` (row stride).
void CvResizeLinearU8(const uint8_t* in, int32_t rows, int32_t cols, uint8_t* out, int32_t out_rows,
                      int32_t out_cols, size_t out_stride);

// §3.2.3: fit-resize with cv INTER_LINEAR and centered PadIfNeeded (zeros) to out_rows x out_cols.
std::vector<uint8_t> TrainingResizeU8(const uint8_t* in, int32_t rows, int32_t cols, int32_t out_rows,
                                      int32_t out_cols);

// A small report picture: area-average downsampling to `width` columns (aspect kept), rounded and
// clamped to 0..255 (lib/pipeline's previews; not part of the pipeline's maths).
struct Thumbnail {
  int32_t width = 0, height = 0;
  std::vector<uint8_t> data;
};
template <typename T>
Thumbnail AreaThumbnail(const T* pixels, int32_t rows, int32_t cols, double width);

// §3.1.5: the classifier batch tensor float32 [N, 3, H, W] from N uint8 H×W inputs (three identical
// channels, values 0..255) written into `out` (normalization happens inside the model, §4.4).
void FillBatchTensor(const std::vector<const uint8_t*>& inputs, size_t plane, float* out);

}  // namespace imgproc
}  // namespace rsna
