// CUDA twin of min_max_scale ×255 (ALGORITHMS.md §1.5, §2.2.1): host launchers on device pointers.
#pragma once
#include <cuda_runtime.h>
#include <cstddef>
#include <cstdint>
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {
namespace cuda {

// d_minmax[0] = min, d_minmax[1] = max of the int16 values inside `box` of a rows x cols image
// (device int32[2], overwritten). Stream-ordered.
void LaunchCropMinMax(const int16_t* d_raw, int32_t cols, const Box& box, int32_t* d_minmax, cudaStream_t stream);

// d_out[i] = min_max_scale(raw)[i] * 255 (255 - that when invert), float32, n = rows*cols.
void LaunchMinMaxScale255(const int16_t* d_raw, int32_t rows, int32_t cols, bool invert, float* d_out,
                          cudaStream_t stream);

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
