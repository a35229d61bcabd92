// CUDA twins of torch bilinear (ALGORITHMS.md §2.2.3), the detector letterbox (§2.2.4–2.2.5) and
// resize_and_pad + truncation (§3.1.3–3.1.4). Taps and sums come from pixel_math.h (double index
// and accumulation as torch CPU; --fmad=false), so outputs equal the CPU kernel bit for bit.
#include "cuda_addon/cuda_common.h"
#include "imgproc/pixel_math.h"
#include "imgproc/resize_cuda.h"

namespace rsna {
namespace imgproc {
namespace cuda {

__device__ __forceinline__ float ResizedPixel(const float* in, int32_t rows, int32_t cols, int32_t out_rows,
                                              int32_t out_cols, int32_t y, int32_t x) {
  AxisTap v = TorchAxisTap(rows, out_rows, y);
  AxisTap h = TorchAxisTap(cols, out_cols, x);
  const float* r0 = in + static_cast<size_t>(v.i0) * cols;
  const float* r1 = in + static_cast<size_t>(v.i1) * cols;
  return BilinearTap(r0[h.i0], r0[h.i1], r1[h.i0], r1[h.i1], v.l0, v.l1, h.l0, h.l1);
}

__global__ void TorchResizeKernel(const float* in, int32_t rows, int32_t cols, float* out, int32_t out_rows,
                                  int32_t out_cols, size_t out_stride) {
  int32_t x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= out_cols || y >= out_rows) return;
  out[y * out_stride + x] = ResizedPixel(in, rows, cols, out_rows, out_cols, y, x);
}

static dim3 Grid2d(int32_t rows, int32_t cols) {
  return dim3(static_cast<unsigned>((cols + 31) / 32), static_cast<unsigned>((rows + 7) / 8));
}

void LaunchTorchResize(const float* d_in, int32_t rows, int32_t cols, float* d_out, int32_t out_rows,
                       int32_t out_cols, size_t out_stride, cudaStream_t stream) {
  TorchResizeKernel<<<Grid2d(out_rows, out_cols), dim3(32, 8), 0, stream>>>(d_in, rows, cols, d_out, out_rows,
                                                                            out_cols, out_stride);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

__global__ void LetterboxKernel(const float* in, int32_t rows, int32_t cols, int32_t size, int32_t rr, int32_t rc,
                                float* tensor, float* resized) {
  int32_t x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= size || y >= size) return;
  float v = 114.0f;
  if (y < rr && x < rc) {
    v = ResizedPixel(in, rows, cols, rr, rc, y, x);
    if (resized) resized[static_cast<size_t>(y) * rc + x] = v;
  }
  const size_t plane = static_cast<size_t>(size) * size, at = static_cast<size_t>(y) * size + x;
  tensor[at] = v;
  tensor[plane + at] = v;
  tensor[2 * plane + at] = v;
}

void LaunchDetectorInput(const float* d_in, int32_t rows, int32_t cols, int32_t size, int32_t resized_rows,
                         int32_t resized_cols, float* d_tensor, float* d_resized, cudaStream_t stream) {
  LetterboxKernel<<<Grid2d(size, size), dim3(32, 8), 0, stream>>>(d_in, rows, cols, size, resized_rows, resized_cols,
                                                                  d_tensor, d_resized);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

__global__ void ResizeAndPadKernel(const float* in, int32_t rows, int32_t cols, int32_t rr, int32_t rc, uint8_t* out,
                                   int32_t out_rows, int32_t out_cols) {
  int32_t x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= out_cols || y >= out_rows) return;
  const int32_t top = (out_rows - rr) / 2, left = (out_cols - rc) / 2;
  const int32_t sy = y - top, sx = x - left;
  uint8_t v = 0;
  if (sy >= 0 && sy < rr && sx >= 0 && sx < rc) v = TruncateU8(ResizedPixel(in, rows, cols, rr, rc, sy, sx));
  out[static_cast<size_t>(y) * out_cols + x] = v;
}

void LaunchResizeAndPadU8(const float* d_in, int32_t rows, int32_t cols, int32_t resized_rows, int32_t resized_cols,
                          uint8_t* d_out, int32_t out_rows, int32_t out_cols, cudaStream_t stream) {
  ResizeAndPadKernel<<<Grid2d(out_rows, out_cols), dim3(32, 8), 0, stream>>>(d_in, rows, cols, resized_rows,
                                                                             resized_cols, d_out, out_rows, out_cols);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
