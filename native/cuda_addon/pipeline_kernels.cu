// Kernels of the GPU-resident one-image pipeline (see pipeline_kernels.h). Built with --fmad=false
// so no multiply-add is contracted, like the CPU build (-ffp-contract=off).
#include "cuda_addon/pipeline_kernels.h"
#include "cuda_addon/cuda_common.h"
#include "cuda_addon/kernel_timing.h"
#include <algorithm>

namespace rsna {
namespace gpu {
namespace {

using imgproc::AxisTap;
using imgproc::VoiFunction;

__global__ void MinMaxKernel(const int16_t* raw, int32_t cols, Region r, int32_t* minmax) {
  const int32_t w = r.x1 - r.x0;
  const int64_t n = static_cast<int64_t>(r.y1 - r.y0) * w;
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int32_t v = raw[static_cast<int64_t>(r.y0 + i / w) * cols + r.x0 + i % w];
    lo = min(lo, v);
    hi = max(hi, v);
  }
  for (int off = 16; off > 0; off /= 2) {
    lo = min(lo, __shfl_down_sync(0xffffffffu, lo, off));
    hi = max(hi, __shfl_down_sync(0xffffffffu, hi, off));
  }
  if ((threadIdx.x & 31) == 0) {
    atomicMin(&minmax[0], lo);
    atomicMax(&minmax[1], hi);
  }
}

// Raw value → intensity as the CPU computes it (MinMaxScale255 / WindowedCrop of imgproc).
__device__ __forceinline__ float Transform(int16_t v, const Intensity& t, int16_t lo, int16_t range) {
  float y = t.window.func == VoiFunction::kNone ? imgproc::MinMaxUnit(v, lo, range) * 255.0f
                                                : imgproc::WindowValue(static_cast<float>(v), t.window);
  return t.invert ? imgproc::Invert255(y) : y;
}

// §1.5.2 range in int16: max - min wraps for ranges > 32767; max == min gives 0 (all zeros).
__device__ __forceinline__ void LoRange(const int32_t* minmax, int16_t* lo, int16_t* range) {
  *lo = static_cast<int16_t>(minmax[0]);
  int16_t hi = static_cast<int16_t>(minmax[1]);
  *range = hi > *lo ? static_cast<int16_t>(static_cast<int32_t>(hi) - *lo) : 0;
}

// One torch-bilinear output value of the transformed crop (rows×cols at raw + origin).
__device__ __forceinline__ float ResampledValue(const int16_t* raw, int32_t stride, int32_t ox, int32_t oy,
                                                int32_t in_rows, int32_t in_cols, int32_t out_rows,
                                                int32_t out_cols, int32_t y, int32_t x, const Intensity& t,
                                                int16_t lo, int16_t range) {
  AxisTap v = imgproc::TorchAxisTap(in_rows, out_rows, y);
  AxisTap h = imgproc::TorchAxisTap(in_cols, out_cols, x);
  const int16_t* r0 = raw + static_cast<int64_t>(oy + v.i0) * stride + ox;
  const int16_t* r1 = raw + static_cast<int64_t>(oy + v.i1) * stride + ox;
  return imgproc::BilinearTap(Transform(r0[h.i0], t, lo, range), Transform(r0[h.i1], t, lo, range),
                              Transform(r1[h.i0], t, lo, range), Transform(r1[h.i1], t, lo, range), v.l0, v.l1,
                              h.l0, h.l1);
}

__global__ void DetectorKernel(const int16_t* raw, int32_t rows, int32_t cols, const int32_t* minmax, bool invert,
                               int32_t size, int32_t fit_rows, int32_t fit_cols, float* tensor) {
  const int32_t x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= size || y >= size) return;
  float value = 114.0f;  // §2.2.4 letterbox fill
  if (y < fit_rows && x < fit_cols) {
    int16_t lo, range;
    LoRange(minmax, &lo, &range);
    Intensity t{{VoiFunction::kNone, 1.0f, 0.0f}, invert};
    value = ResampledValue(raw, cols, 0, 0, rows, cols, fit_rows, fit_cols, y, x, t, lo, range);
  }
  const int64_t plane = static_cast<int64_t>(size) * size, i = static_cast<int64_t>(y) * size + x;
  tensor[i] = value;  // §2.2.5: three identical channels
  tensor[plane + i] = value;
  tensor[2 * plane + i] = value;
}

// §3.4 ImageNet mean/std ×255 per channel.
__constant__ float kMean[3] = {123.675f, 116.28f, 103.53f};
__constant__ float kStd[3] = {58.395f, 57.12f, 57.375f};

__global__ void ClassifierKernel(const int16_t* raw, int32_t cols, Region crop, Intensity t, const int32_t* minmax,
                                 int32_t fit_rows, int32_t fit_cols, int32_t out_rows, int32_t out_cols,
                                 uint8_t* u8) {
  const int32_t x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= out_cols || y >= out_rows) return;
  const int32_t top = (out_rows - fit_rows) / 2, left = (out_cols - fit_cols) / 2;  // §3.1.3 centered
  uint8_t value = 0;
  if (y >= top && y < top + fit_rows && x >= left && x < left + fit_cols) {
    int16_t lo = 0, range = 0;
    if (t.window.func == VoiFunction::kNone) LoRange(minmax, &lo, &range);
    float v = ResampledValue(raw, cols, crop.x0, crop.y0, crop.y1 - crop.y0, crop.x1 - crop.x0, fit_rows, fit_cols,
                             y - top, x - left, t, lo, range);
    value = imgproc::TruncateU8(v);  // §1.7.1
  }
  u8[static_cast<int64_t>(y) * out_cols + x] = value;
}

// §3.1.4–3.1.5: 3 identical channels, uint8 values as float32 (§3.4: minus mean, over std).
__global__ void ExpandChannelsKernel(const uint8_t* u8, int64_t plane, TensorMode mode, float* tensor) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < plane; i += int64_t(gridDim.x) * blockDim.x) {
    const float v = static_cast<float>(u8[i]);
    for (int c = 0; c < 3; ++c) tensor[c * plane + i] = mode == TensorMode::kNormalized ? (v - kMean[c]) / kStd[c] : v;
  }
}

dim3 Grid2D(int32_t cols, int32_t rows, dim3 block) {
  return dim3((cols + block.x - 1) / block.x, (rows + block.y - 1) / block.y);
}

}  // namespace

void LaunchMinMax(const int16_t* d_raw, int32_t cols, Region region, int32_t* d_minmax, cudaStream_t stream) {
  const double n = double(region.x1 - region.x0) * (region.y1 - region.y0);
  cuda::KernelTiming timing("pipeline.minmax", n * sizeof(int16_t), stream);
  MinMaxKernel<<<264, 256, 0, stream>>>(d_raw, cols, region, d_minmax);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

void LaunchDetectorInput(const int16_t* d_raw, int32_t rows, int32_t cols, const int32_t* d_minmax, bool invert,
                         int32_t size, int32_t fit_rows, int32_t fit_cols, float* d_tensor, cudaStream_t stream) {
  // Bytes: the taps read (≈ 4 per resized pixel) plus the 3-channel tensor written.
  cuda::KernelTiming timing("pipeline.detector_input", 4.0 * fit_rows * fit_cols * sizeof(int16_t) + 3.0 * size * size * 4, stream);
  dim3 block(32, 8);
  DetectorKernel<<<Grid2D(size, size, block), block, 0, stream>>>(d_raw, rows, cols, d_minmax, invert, size, fit_rows,
                                                                   fit_cols, d_tensor);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

void LaunchClassifierInput(const int16_t* d_raw, int32_t cols, Region crop, Intensity intensity, const int32_t* d_minmax,
                           int32_t fit_rows, int32_t fit_cols, int32_t out_rows, int32_t out_cols, uint8_t* d_u8,
                           cudaStream_t stream) {
  cuda::KernelTiming timing("pipeline.classifier_input", 4.0 * fit_rows * fit_cols * sizeof(int16_t) + double(out_rows) * out_cols, stream);
  dim3 block(32, 8);
  ClassifierKernel<<<Grid2D(out_cols, out_rows, block), block, 0, stream>>>(
      d_raw, cols, crop, intensity, d_minmax, fit_rows, fit_cols, out_rows, out_cols, d_u8);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

void LaunchExpandChannels(const uint8_t* d_u8, int64_t plane, TensorMode mode, float* d_tensor, cudaStream_t stream) {
  if (mode == TensorMode::kNone || plane <= 0) return;
  cuda::KernelTiming timing("pipeline.expand_channels", double(plane) * 13, stream);
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((plane + 255) / 256, 4096));
  ExpandChannelsKernel<<<blocks, 256, 0, stream>>>(d_u8, plane, mode, d_tensor);
  RSNA_CUDA_CHECK(cudaGetLastError());
}

}  // namespace gpu
}  // namespace rsna
