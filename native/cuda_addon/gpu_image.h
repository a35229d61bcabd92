// The GPU-resident one-image pipeline: the raw int16 image is uploaded once (pinned staging, own
// stream) and stays on the device while the detector input (ALGORITHMS.md §2.2) and, once the ROI is
// known, the classifier input (§2.8, §3.1, optional §3.4 normalization) are computed from it.
#pragma once
#include <cstdint>
#include <mutex>
#include <vector>
#include "cuda_addon/cuda_common.h"
#include "cuda_addon/pipeline_kernels.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace gpu {

struct DetectorInputResult {
  std::vector<float> tensor;  // 3×size×size
  double ratio = 0;
  int32_t resizedRows = 0, resizedCols = 0;
  bool constant = false;  // every raw value equal (from the device min-max): the full frame, §1.5.3
};

struct ClassifierInputResult {
  std::vector<uint8_t> u8;          // out_rows×out_cols (the 3 channels are identical, §3.1.4)
  std::vector<float> tensor;        // 3×out_rows×out_cols float32 when a TensorMode is requested
};

class GpuImage {
 public:
  // Copies `raw` (rows×cols int16) to the device; throws ERR_CUDA / ERR_INVALID_SIZE.
  GpuImage(const int16_t* raw, int32_t rows, int32_t cols);

  int32_t rows() const { return rows_; }
  int32_t cols() const { return cols_; }

  // §2.2: min_max_scale×255 (inverted when MONOCHROME1), torch bilinear fit into size×size, letterbox.
  DetectorInputResult DetectorInput(bool invert, int32_t size);

  // §2.8 + §3.1: crop `box`, window (or min-max×255 of the crop when spec.func is kNone), invert,
  // resize_and_pad to out_rows×out_cols, truncate to uint8; plus the float32 engine input per `mode`.
  ClassifierInputResult ClassifierInput(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert,
                                        int32_t out_rows, int32_t out_cols, TensorMode mode);

 private:
  void ResetMinMax(int slot);

  std::mutex mutex_;  // one operation at a time per image (they share the stream and scratch)
  int32_t rows_, cols_;
  cuda::Stream stream_;
  cuda::DeviceBuffer<int16_t> raw_;
  cuda::DeviceBuffer<int32_t> minmax_;  // slot 0: whole image, slot 1: last crop
};

}  // namespace gpu
}  // namespace rsna
