// CUDA twins of the torch bilinear resize, the detector letterbox and resize_and_pad
// (ALGORITHMS.md §2.2.2–2.2.5, §3.1.3–3.1.4): host launchers on device pointers + stream.
#pragma once
#include <cuda_runtime.h>
#include <cstddef>
#include <cstdint>

namespace rsna {
namespace imgproc {
namespace cuda {

// d_out (out_rows x out_cols, row stride out_stride) = torch CPU bilinear of d_in (rows x cols).
void LaunchTorchResize(const float* d_in, int32_t rows, int32_t cols, float* d_out, int32_t out_rows,
                       int32_t out_cols, size_t out_stride, cudaStream_t stream);

// d_tensor (3 x size x size) = letterbox (114, top-left) of the resized image of size
// resized_rows x resized_cols (from TorchFitSize on the host); d_resized (may be null) receives it.
void LaunchDetectorInput(const float* d_in, int32_t rows, int32_t cols, int32_t size, int32_t resized_rows,
                         int32_t resized_cols, float* d_tensor, float* d_resized, cudaStream_t stream);

// d_out (out_rows x out_cols uint8) = trunc(resize_and_pad(d_in)): resized to resized_rows x
// resized_cols (TorchFitSize), centered on a zero canvas.
void LaunchResizeAndPadU8(const float* d_in, int32_t rows, int32_t cols, int32_t resized_rows, int32_t resized_cols,
                          uint8_t* d_out, int32_t out_rows, int32_t out_cols, cudaStream_t stream);

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
