// CUDA twin of OpenCV INTER_LINEAR 8U (ALGORITHMS.md §3.2.3): the horizontal fixed-point pass is
// recomputed per output pixel for its two source rows (integer math, so order does not matter).
#include <cfloat>
#include "cuda_addon/cuda_common.h"
#include "imgproc/cv_resize_cuda.h"
#include "imgproc/pixel_math.h"

namespace rsna {
namespace imgproc {
namespace cuda {

__global__ void CvLinearKernel(const uint8_t* in, int32_t rows, int32_t cols, uint8_t* out, int32_t out_rows,
                               int32_t out_cols, size_t out_stride, int mode) {
  int32_t x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= out_cols || y >= out_rows) return;
  if (mode == 1) {  // unchanged size: copy
    out[y * out_stride + x] = in[static_cast<size_t>(y) * cols + x];
    return;
  }
  if (mode == 2) {  // exact 2x downscale: INTER_AREA rounded mean
    const uint8_t* r0 = in + static_cast<size_t>(2 * y) * cols;
    const uint8_t* r1 = r0 + cols;
    out[y * out_stride + x] = static_cast<uint8_t>((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
    return;
  }
  CvTap tx = CvLinearTap(cols, out_cols, x, true);
  CvTap ty = CvLinearTap(rows, out_rows, y, false);
  int32_t ra = min(max(ty.s0, 0), rows - 1), rb = min(max(ty.s0 + 1, 0), rows - 1);
  const uint8_t* sa = in + static_cast<size_t>(ra) * cols;
  const uint8_t* sb = in + static_cast<size_t>(rb) * cols;
  int32_t ha = tx.a1 == 0 ? sa[tx.s0] * tx.a0 : sa[tx.s0] * tx.a0 + sa[tx.s0 + 1] * tx.a1;
  int32_t hb = tx.a1 == 0 ? sb[tx.s0] * tx.a0 : sb[tx.s0] * tx.a0 + sb[tx.s0 + 1] * tx.a1;
  out[y * out_stride + x] = CvVerticalU8(ha, hb, ty.a0, ty.a1);
}

void LaunchCvResizeLinearU8(const uint8_t* d_in, int32_t rows, int32_t cols, uint8_t* d_out, int32_t out_rows,
                            int32_t out_cols, size_t out_stride, cudaStream_t stream) {
  double sx = 1.0 / (static_cast<double>(out_cols) / cols), sy = 1.0 / (static_cast<double>(out_rows) / rows);
  int mode = (rows == out_rows && cols == out_cols) ? 1
             : (std::fabs(sx - 2.0) < DBL_EPSILON && std::fabs(sy - 2.0) < DBL_EPSILON) ? 2 : 0;
  dim3 grid(static_cast<unsigned>((out_cols + 31) / 32), static_cast<unsigned>((out_rows + 7) / 8));
  CvLinearKernel<<<grid, dim3(32, 8), 0, stream>>>(d_in, rows, cols, d_out, out_rows, out_cols, out_stride, mode);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
