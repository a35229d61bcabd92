// CUDA twin of the windowed crop (ALGORITHMS.md §1.4, §1.7, §2.8, §3.1.1–3.1.2); arithmetic shared
// with the CPU kernel through pixel_math.h.
#include "cuda_addon/cuda_common.h"
#include "imgproc/minmax_cuda.h"
#include "imgproc/window_cuda.h"

namespace rsna {
namespace imgproc {
namespace cuda {

__global__ void WindowedCropKernel(const int16_t* raw, int32_t cols, Box box, WindowAffine affine, bool invert,
                                   const int32_t* minmax, float* out) {
  const int32_t w = box.x1 - box.x0;
  const size_t n = static_cast<size_t>(box.y1 - box.y0) * w;
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int16_t x = raw[static_cast<size_t>(box.y0 + i / w) * cols + box.x0 + i % w];
  float y;
  if (affine.func == VoiFunction::kNone) {
    int16_t lo = static_cast<int16_t>(minmax[0]), hi = static_cast<int16_t>(minmax[1]);
    int16_t range = hi > lo ? static_cast<int16_t>(static_cast<int32_t>(hi) - lo) : 0;
    y = MinMaxUnit(x, lo, range) * 255.0f;
  } else {
    y = WindowValue(static_cast<float>(x), affine);
  }
  out[i] = invert ? Invert255(y) : y;
}

void LaunchWindowedCrop(const int16_t* d_raw, int32_t cols, const Box& box, const WindowAffine& affine, bool invert,
                        float* d_out, cudaStream_t stream) {
  rsna::cuda::DeviceBuffer<int32_t> minmax(affine.func == VoiFunction::kNone ? 2 : 0);  // RAII, freed on throw too
  int32_t* d_minmax = minmax.get();
  if (d_minmax) LaunchCropMinMax(d_raw, cols, box, d_minmax, stream);
  size_t n = static_cast<size_t>(box.y1 - box.y0) * (box.x1 - box.x0);
  WindowedCropKernel<<<rsna::cuda::GridFor(n), 256, 0, stream>>>(d_raw, cols, box, affine, invert, d_minmax, d_out);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

__global__ void TruncateKernel(const float* in, size_t n, uint8_t* out) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = TruncateU8(in[i]);
}

void LaunchTruncateU8(const float* d_in, size_t n, uint8_t* d_out, cudaStream_t stream) {
  if (n == 0) return;
  TruncateKernel<<<rsna::cuda::GridFor(n), 256, 0, stream>>>(d_in, n, d_out);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
