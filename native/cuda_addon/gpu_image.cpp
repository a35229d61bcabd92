// GpuImage: upload once, then detector / classifier inputs computed on the device (gpu_image.h).
#include "cuda_addon/gpu_image.h"
#include <climits>
#include <cstring>

namespace rsna {
namespace gpu {

GpuImage::GpuImage(const int16_t* raw, int32_t rows, int32_t cols) : rows_(rows), cols_(cols) {
  const size_t n = imgproc::PixelCount(rows, cols, sizeof(int16_t));
  cuda::PinnedBuffer<int16_t> staging(n);
  std::memcpy(staging.get(), raw, n * sizeof(int16_t));
  raw_.Upload(staging.get(), n, stream_.get());
  minmax_.Resize(4);
  stream_.Sync();  // staging is released on return
}

void GpuImage::ResetMinMax(int slot) {
  const int32_t init[2] = {INT_MAX, INT_MIN};
  RSNA_CUDA_CHECK(cudaMemcpyAsync(minmax_.get() + 2 * slot, init, sizeof(init), cudaMemcpyHostToDevice, stream_.get()));
}

DetectorInputResult GpuImage::DetectorInput(bool invert, int32_t size) {
  if (size <= 0 || size > 4096) throw NativeError("ERR_INVALID_SIZE", "detector size must be in 1..4096");
  std::lock_guard<std::mutex> lock(mutex_);
  imgproc::FitSize fit = imgproc::TorchFitSize(rows_, cols_, size, size);
  ResetMinMax(0);
  LaunchMinMax(raw_.get(), cols_, Region{0, 0, cols_, rows_}, minmax_.get(), stream_.get());
  cuda::DeviceBuffer<float> tensor(3 * size_t(size) * size);
  LaunchDetectorInput(raw_.get(), rows_, cols_, minmax_.get(), invert, size, fit.rows, fit.cols, tensor.get(), stream_.get());
  DetectorInputResult r;
  r.tensor.resize(tensor.size());
  tensor.Download(r.tensor.data(), r.tensor.size(), stream_.get());
  int32_t range[2] = {0, 0};
  minmax_.Download(range, 2, stream_.get());
  stream_.Sync();
  r.constant = range[0] == range[1];
  r.ratio = fit.ratio;
  r.resizedRows = fit.rows;
  r.resizedCols = fit.cols;
  return r;
}

ClassifierInputResult GpuImage::ClassifierInput(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert,
                                                int32_t out_rows, int32_t out_cols, TensorMode mode) {
  if (box.x0 < 0 || box.y0 < 0 || box.x1 > cols_ || box.y1 > rows_ || box.x1 <= box.x0 || box.y1 <= box.y0) {
    throw NativeError("ERR_INVALID_BOX", "crop box is empty or outside the " + std::to_string(rows_) + "x" +
                                             std::to_string(cols_) + " image");
  }
  const size_t n = imgproc::PixelCount(out_rows, out_cols, 4 * 3);
  const imgproc::WindowAffine affine = imgproc::MakeWindowAffine(spec);
  imgproc::FitSize fit = imgproc::TorchFitSize(box.y1 - box.y0, box.x1 - box.x0, out_rows, out_cols);
  std::lock_guard<std::mutex> lock(mutex_);
  const Region crop{box.x0, box.y0, box.x1, box.y1};
  if (affine.func == imgproc::VoiFunction::kNone) {  // §1.4.6: min-max of the crop
    ResetMinMax(1);
    LaunchMinMax(raw_.get(), cols_, crop, minmax_.get() + 2, stream_.get());
  }
  cuda::DeviceBuffer<uint8_t> u8(n);
  const bool withTensor = mode != TensorMode::kNone;
  cuda::DeviceBuffer<float> tensor(withTensor ? 3 * n : 0);
  LaunchClassifierInput(raw_.get(), cols_, crop, Intensity{affine, invert}, minmax_.get() + 2, fit.rows, fit.cols,
                        out_rows, out_cols, u8.get(), mode, withTensor ? tensor.get() : nullptr, stream_.get());
  ClassifierInputResult r;
  r.u8.resize(n);
  u8.Download(r.u8.data(), n, stream_.get());
  if (withTensor) {
    r.tensor.resize(3 * n);
    tensor.Download(r.tensor.data(), 3 * n, stream_.get());
  }
  stream_.Sync();
  return r;
}

}  // namespace gpu
}  // namespace rsna
