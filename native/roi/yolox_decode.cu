// CUDA twin of DecodeYolox + FilterAnchors (native/roi/yolox_post.cc): one thread per anchor, float32
// math in the same order (built with --fmad=false so nothing is fused unless written as fmaf) and the
// same exp recipe (math/math/torch_expf.h), so the device result is bit-identical to the CPU's.
#include <cuda_runtime.h>

#include "cuda_addon/cuda_common.h"
#include "math/torch_expf.h"
#include "roi/yolox_decode_cuda.h"

namespace rsna {
namespace roi {

namespace {

struct GridParams {
  int anchors;
  int size[kYoloxLevels];
  int stride[kYoloxLevels];
  int first[kYoloxLevels];
};

__global__ void DecodeFilterKernel(const float* __restrict__ raw, float* __restrict__ decoded,
                                   uint8_t* __restrict__ keep, GridParams g, double conf_thres) {
  const int a = blockIdx.x * blockDim.x + threadIdx.x;
  if (a >= g.anchors) return;
  int level = 0;
  while (level + 1 < kYoloxLevels && a >= g.first[level + 1]) ++level;
  const int cell = a - g.first[level];
  const int gx = cell % g.size[level];
  const int gy = cell / g.size[level];
  const float s = static_cast<float>(g.stride[level]);
  const float* in = raw + static_cast<size_t>(a) * kYoloxChannels;
  float* o = decoded + static_cast<size_t>(a) * kYoloxChannels;
  o[0] = __fmul_rn(__fadd_rn(in[0], static_cast<float>(gx)), s);
  o[1] = __fmul_rn(__fadd_rn(in[1], static_cast<float>(gy)), s);
  o[2] = __fmul_rn(TorchCpuExpf(in[2]), s);
  o[3] = __fmul_rn(TorchCpuExpf(in[3]), s);
  o[4] = in[4];
  o[5] = in[5];
  const float score = __fmul_rn(in[4], in[5]);
  keep[a] = static_cast<double>(score) >= conf_thres ? 1 : 0;
}

}  // namespace

DecodeFilterResult DecodeFilterCuda(const float* raw, const YoloxGrid& grid, double conf_thres) {
  const size_t n = static_cast<size_t>(grid.anchors);
  GridParams g{};
  g.anchors = grid.anchors;
  for (int l = 0; l < kYoloxLevels; ++l) {
    g.size[l] = grid.level_size[l];
    g.stride[l] = grid.level_stride[l];
    g.first[l] = grid.level_first[l];
  }
  cuda::Stream stream;
  cuda::DeviceBuffer<float> d_raw, d_decoded(n * kYoloxChannels);
  cuda::DeviceBuffer<uint8_t> d_keep(n);
  d_raw.Upload(raw, n * kYoloxChannels, stream.get());
  DecodeFilterKernel<<<cuda::GridFor(n), 256, 0, stream.get()>>>(d_raw.get(), d_decoded.get(), d_keep.get(), g, conf_thres);
  RSNA_CUDA_CHECK(cudaGetLastError());
  DecodeFilterResult out;
  out.decoded.resize(n * kYoloxChannels);
  std::vector<uint8_t> keep(n);
  d_decoded.Download(out.decoded.data(), out.decoded.size(), stream.get());
  d_keep.Download(keep.data(), n, stream.get());
  stream.Sync();
  for (size_t a = 0; a < n; ++a) {
    if (keep[a]) out.candidates.push_back(static_cast<int32_t>(a));
  }
  return out;
}

}  // namespace roi
}  // namespace rsna
