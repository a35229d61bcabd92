// Device kernels of the GPU-resident one-image pipeline (gpu_image.h). Each output pixel is computed
// with the per-pixel functions the CPU kernels use (imgproc/pixel_math.h), so results match the CPU
// path bit for bit: min-max×255 / window / invert are evaluated at the four bilinear taps instead of
// materializing the full-resolution float image (same values, no extra pass).
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include "imgproc/pixel_math.h"

namespace rsna {
namespace gpu {

// Region of the raw image (end-exclusive), ALGORITHMS.md §2.8.
struct Region {
  int32_t x0, y0, x1, y1;
};

// Intensity transform applied to raw values before resizing: min-max×255 (range from a device
// reduction, §1.5/§2.2.1/§1.4.6) or a window (§1.4), then optional inversion (§1.7.3).
struct Intensity {
  imgproc::WindowAffine window;  // func kNone = min-max×255 using the reduced min/range
  bool invert;
};

// Writes {min, max} of raw[region] (int16) into d_minmax[0..1] (d_minmax preset to {INT_MAX, INT_MIN}).
void LaunchMinMax(const int16_t* d_raw, int32_t cols, Region region, int32_t* d_minmax, cudaStream_t stream);

// §2.2.2–2.2.5: the detector tensor 3×size×size (float32, top-left letterbox with 114) from the raw
// image, resized rows×cols → fit_rows×fit_cols with torch bilinear.
void LaunchDetectorInput(const int16_t* d_raw, int32_t rows, int32_t cols, const int32_t* d_minmax,
                         bool invert, int32_t size, int32_t fit_rows, int32_t fit_cols, float* d_tensor,
                         cudaStream_t stream);

// The float32 engine input written beside the uint8 image: none, the 3-channel 0..255 tensor the
// ensemble model takes (it normalizes inside, §4.4), or the §3.4-normalized tensor (single-fold models).
enum class TensorMode : int32_t { kNone = 0, kFloat255 = 1, kNormalized = 2 };

// §3.1.1–3.1.4: crop → intensity → resize_and_pad (centered, zeros) → uint8 truncation into d_u8
// (out_rows×out_cols).
void LaunchClassifierInput(const int16_t* d_raw, int32_t cols, Region crop, Intensity intensity,
                           const int32_t* d_minmax, int32_t fit_rows, int32_t fit_cols, int32_t out_rows,
                           int32_t out_cols, uint8_t* d_u8, cudaStream_t stream);

// §3.1.4–3.1.5 (and §3.4 for kNormalized): the float32 engine input of one uint8 plane (`plane`
// pixels) as 3 channels into d_tensor[0, 3·plane): one image's tensor, or one slot of a batch tensor.
void LaunchExpandChannels(const uint8_t* d_u8, int64_t plane, TensorMode mode, float* d_tensor, cudaStream_t stream);

}  // namespace gpu
}  // namespace rsna
