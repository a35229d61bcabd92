// CUDA twin of min_max_scale ×255 (ALGORITHMS.md §1.5, §2.2.1): block reduction with atomics for the
// int16 min/max, then the same per-pixel arithmetic as the CPU kernel (pixel_math.h).
#include "cuda_addon/cuda_common.h"
#include "imgproc/minmax_cuda.h"

namespace rsna {
namespace imgproc {
namespace cuda {

__global__ void CropMinMaxKernel(const int16_t* raw, int32_t cols, Box box, int32_t* minmax) {
  const int32_t w = box.x1 - box.x0;
  const size_t n = static_cast<size_t>(box.y1 - box.y0) * w;
  int32_t lo = 32767, hi = -32768;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    int32_t v = raw[static_cast<size_t>(box.y0 + i / w) * cols + box.x0 + i % w];
    lo = min(lo, v);
    hi = max(hi, v);
  }
  for (int off = 16; off > 0; off >>= 1) {
    lo = min(lo, __shfl_down_sync(0xffffffffu, lo, off));
    hi = max(hi, __shfl_down_sync(0xffffffffu, hi, off));
  }
  if ((threadIdx.x & 31) == 0) {
    atomicMin(&minmax[0], lo);
    atomicMax(&minmax[1], hi);
  }
}

__global__ void InitMinMaxKernel(int32_t* minmax) {
  minmax[0] = 32767;
  minmax[1] = -32768;
}

void LaunchCropMinMax(const int16_t* d_raw, int32_t cols, const Box& box, int32_t* d_minmax, cudaStream_t stream) {
  InitMinMaxKernel<<<1, 1, 0, stream>>>(d_minmax);
  size_t n = static_cast<size_t>(box.y1 - box.y0) * (box.x1 - box.x0);
  unsigned grid = std::min<unsigned>(rsna::cuda::GridFor(n), 1024u);
  CropMinMaxKernel<<<grid, 256, 0, stream>>>(d_raw, cols, box, d_minmax);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

__global__ void MinMaxScaleKernel(const int16_t* raw, size_t n, bool invert, const int32_t* minmax, float* out) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int16_t lo = static_cast<int16_t>(minmax[0]), hi = static_cast<int16_t>(minmax[1]);
  int16_t range = hi > lo ? static_cast<int16_t>(static_cast<int32_t>(hi) - lo) : 0;
  float y = MinMaxUnit(raw[i], lo, range) * 255.0f;
  out[i] = invert ? Invert255(y) : y;
}

void LaunchMinMaxScale255(const int16_t* d_raw, int32_t rows, int32_t cols, bool invert, float* d_out,
                          cudaStream_t stream) {
  rsna::cuda::DeviceBuffer<int32_t> minmax(2);  // RAII: freed even when a launch check throws
  int32_t* d_minmax = minmax.get();
  LaunchCropMinMax(d_raw, cols, Box{0, 0, cols, rows}, d_minmax, stream);
  size_t n = static_cast<size_t>(rows) * cols;
  MinMaxScaleKernel<<<rsna::cuda::GridFor(n), 256, 0, stream>>>(d_raw, n, invert, d_minmax, d_out);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
