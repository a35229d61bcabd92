// CUDA twin of the classifier input (ALGORITHMS.md §2.8 + §3.1): crop raw → window (or min-max ×255)
// → invert → resize_and_pad (torch bilinear, centered zeros) → uint8 truncation, on device pointers.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {
namespace cuda {

// d_out: out_rows x out_cols uint8 (single channel). `affine` from MakeWindowAffine (host). The
// float crop lives in stream-ordered scratch memory. Throws NativeError ERR_EMPTY_RESIZE like the CPU.
void LaunchClassifierInput(const int16_t* d_raw, int32_t rows, int32_t cols, const Box& box, const WindowAffine& affine,
                           bool invert, uint8_t* d_out, int32_t out_rows, int32_t out_cols, cudaStream_t stream);

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
