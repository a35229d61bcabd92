// CUDA twin of the classifier input composition (ALGORITHMS.md §2.8 + §3.1).
#include "cuda_addon/cuda_common.h"
#include "imgproc/classifier_input_cuda.h"
#include "imgproc/resize_cuda.h"
#include "imgproc/window_cuda.h"

namespace rsna {
namespace imgproc {
namespace cuda {

void LaunchClassifierInput(const int16_t* d_raw, int32_t rows, int32_t cols, const Box& box, const WindowAffine& affine,
                           bool invert, uint8_t* d_out, int32_t out_rows, int32_t out_cols, cudaStream_t stream) {
  const int32_t h = box.y1 - box.y0, w = box.x1 - box.x0;
  FitSize fit = TorchFitSize(h, w, out_rows, out_cols);
  // RAII: freed (cudaFree waits for the stream's work) even when a launch check throws.
  rsna::cuda::DeviceBuffer<float> crop(CheckedBytes(h, w, sizeof(float)) / sizeof(float));
  LaunchWindowedCrop(d_raw, cols, box, affine, invert, crop.get(), stream);
  LaunchResizeAndPadU8(crop.get(), h, w, fit.rows, fit.cols, d_out, out_rows, out_cols, stream);
}

}  // namespace cuda
}  // namespace imgproc
}  // namespace rsna
