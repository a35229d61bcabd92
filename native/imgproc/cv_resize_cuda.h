// CUDA twin of OpenCV INTER_LINEAR on uint8 (ALGORITHMS.md §3.2.3): host launcher on device pointers.
#pragma once
#include <cuda_runtime.h>
#include <cstddef>
#include <cstdint>

namespace rsna {
namespace imgproc {
namespace cuda {

// d_out (out_rows x out_cols, row stride out_stride) = cv::resize(d_in, INTER_LINEAR) bit-exact,
// including the exact-2x INTER_AREA switch and the unchanged-size copy.
void LaunchCvResizeLinearU8(const uint8_t* d_in, int32_t rows, int32_t cols, uint8_t* d_out, int32_t out_rows,
                            int32_t out_cols, size_t out_stride, cudaStream_t stream);

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
