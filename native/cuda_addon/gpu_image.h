// The GPU-resident one-image pipeline: the raw int16 image is uploaded once (pooled pinned staging,
// pinned_staging.h, on the image's own stream, so the upload of the next image overlaps work on this
// one) and stays on the device while the detector input (ALGORITHMS.md §2.2) and, once the ROI is
// known, the classifier input (§2.8, §3.1) are computed from it. The classifier input can stay on the
// device as a DevicePlane, and a DeviceBatch assembles planes into the float32 [B,3,H,W] engine input
// in device memory (§3.1.4–3.1.5), handed to a GPU backend without a trip through host memory.
#pragma once
#include <cstdint>
#include <memory>
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

// A uint8 classifier input (rows×cols) in device memory, finished (its producer's stream synchronized).
struct DevicePlane {
  cuda::DeviceBuffer<uint8_t> u8;
  int32_t rows = 0, cols = 0;
  int device = 0;
  // The one device→host copy of the plane (reports, host backends); waits for it.
  std::vector<uint8_t> Download() const;
};

class GpuImage {
 public:
  // Queues the upload of `raw` (rows×cols int16) on the image's stream and returns once `raw` has
  // been copied into staging (it may be reused then); throws ERR_CUDA / ERR_INVALID_SIZE.
  GpuImage(const int16_t* raw, int32_t rows, int32_t cols);

  int32_t rows() const { return rows_; }
  int32_t cols() const { return cols_; }

  // §2.2: min_max_scale×255 (inverted when MONOCHROME1), torch bilinear fit into size×size, letterbox.
  DetectorInputResult DetectorInput(bool invert, int32_t size);

  // §2.8 + §3.1: crop `box`, window (or min-max×255 of the crop when spec.func is kNone), invert,
  // resize_and_pad to out_rows×out_cols, truncate to uint8; plus the float32 engine input per `mode`.
  // Host results (tests, the device check); the pipeline keeps the plane on the device instead.
  ClassifierInputResult ClassifierInput(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert,
                                        int32_t out_rows, int32_t out_cols, TensorMode mode);

  // The same uint8 classifier input, kept on the device (outlives this image).
  std::shared_ptr<DevicePlane> ClassifierPlane(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert,
                                               int32_t out_rows, int32_t out_cols);

 private:
  void ResetMinMax(int slot);
  // Writes the classifier input of `box` into d_u8 (out_rows×out_cols) on the image's stream.
  void LaunchClassifier(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert, int32_t out_rows,
                        int32_t out_cols, uint8_t* d_u8);

  std::mutex mutex_;  // one operation at a time per image (they share the stream and scratch)
  int32_t rows_, cols_;
  cuda::Stream stream_;  // declared before the buffers: they are freed on it, before it is destroyed
  cuda::DeviceBuffer<int16_t> raw_;
  cuda::DeviceBuffer<int32_t> minmax_;  // slot 0: whole image, slot 1: last crop
};

// One batch of the float32 engine input [B,3,H,W] in device memory, reused from batch to batch (it
// only grows). Slots are filled from device planes (a kernel per slot) or host uint8 images (uploaded
// first: an image the CPU prepared after a CUDA failure, §3.1.4–3.1.5 either way).
class DeviceBatch {
 public:
  struct Item {
    std::shared_ptr<const DevicePlane> plane;  // or
    const uint8_t* host = nullptr;             // rows×cols host pixels
  };
  DeviceBatch();

  // Fills slots 0..items-1 and waits for it (the tensor is complete when this returns).
  void Fill(const std::vector<Item>& items, int32_t rows, int32_t cols);
  // The one device→host copy of the batch, for backends that need host data.
  void Download(float* host, size_t count);

  uint64_t Address();
  int Device() const { return device_; }
  std::vector<int64_t> Dims();

 private:
  std::mutex mutex_;
  int device_ = 0;
  cuda::Stream stream_;
  cuda::DeviceBuffer<float> tensor_;
  cuda::DeviceBuffer<uint8_t> staging_;  // host items, one plane at a time
  std::vector<int64_t> dims_;
};

}  // namespace gpu
}  // namespace rsna
