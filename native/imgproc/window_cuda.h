// CUDA twin of crop + windowing + inversion + truncation (ALGORITHMS.md §1.4, §1.7, §2.8, §3.1.1–3.1.2).
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {
namespace cuda {

// d_out (h x w float32, h/w of `box`) = window(raw[box]) (min-max ×255 of the crop for kNone),
// then 255 - y when invert. `affine` comes from MakeWindowAffine (host) so constants match the CPU.
void LaunchWindowedCrop(const int16_t* d_raw, int32_t cols, const Box& box, const WindowAffine& affine, bool invert,
                        float* d_out, cudaStream_t stream);

// d_out[i] = trunc(d_in[i]) to uint8 (§1.7.1).
void LaunchTruncateU8(const float* d_in, size_t n, uint8_t* d_out, cudaStream_t stream);

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
