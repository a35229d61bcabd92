// GpuImage: upload once, then detector / classifier inputs computed on the device; DevicePlane and
// DeviceBatch keep the classifier input and the batch engine input there (gpu_image.h).
#include "cuda_addon/gpu_image.h"
#include <climits>
#include "cuda_addon/kernel_timing.h"
#include "cuda_addon/pinned_staging.h"

namespace rsna {
namespace gpu {

std::vector<uint8_t> DevicePlane::Download() const {
  std::vector<uint8_t> out(u8.size());
  // Its own short-lived stream: the plane is finished, and the caller may be any pool thread.
  cuda::Stream stream;
  u8.Download(out.data(), out.size(), stream.get());
  stream.Sync();
  return out;
}

GpuImage::GpuImage(const int16_t* raw, int32_t rows, int32_t cols) : rows_(rows), cols_(cols) {
  const size_t n = imgproc::PixelCount(rows, cols, sizeof(int16_t));
  raw_.StreamOrdered(stream_.get(), stream_.get());
  minmax_.StreamOrdered(stream_.get(), stream_.get());
  raw_.Resize(n);
  minmax_.Resize(4);
  // No sync: the copies are queued on stream_, ahead of every kernel of this image. With kernel timing
  // on (device check) the copies' device time is recorded as "pipeline.upload".
  cuda::KernelTiming timing("pipeline.upload", double(n) * sizeof(int16_t), stream_.get());
  cuda::PinnedStaging::Instance().Upload(raw_.get(), raw, n * sizeof(int16_t), stream_.get());
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
  cuda::DeviceBuffer<float> tensor;
  tensor.StreamOrdered(stream_.get(), stream_.get());
  tensor.Resize(3 * size_t(size) * size);
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

void GpuImage::LaunchClassifier(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert, int32_t out_rows,
                                int32_t out_cols, uint8_t* d_u8) {
  const imgproc::WindowAffine affine = imgproc::MakeWindowAffine(spec);
  imgproc::FitSize fit = imgproc::TorchFitSize(box.y1 - box.y0, box.x1 - box.x0, out_rows, out_cols);
  const Region crop{box.x0, box.y0, box.x1, box.y1};
  if (affine.func == imgproc::VoiFunction::kNone) {  // §1.4.6: min-max of the crop
    ResetMinMax(1);
    LaunchMinMax(raw_.get(), cols_, crop, minmax_.get() + 2, stream_.get());
  }
  LaunchClassifierInput(raw_.get(), cols_, crop, Intensity{affine, invert}, minmax_.get() + 2, fit.rows, fit.cols,
                        out_rows, out_cols, d_u8, stream_.get());
}

ClassifierInputResult GpuImage::ClassifierInput(const imgproc::Box& box, const imgproc::WindowSpec& spec, bool invert,
                                                int32_t out_rows, int32_t out_cols, TensorMode mode) {
  imgproc::CheckBox(box, rows_, cols_);
  const size_t n = imgproc::PixelCount(out_rows, out_cols, 4 * 3);
  std::lock_guard<std::mutex> lock(mutex_);
  cuda::DeviceBuffer<uint8_t> u8;
  u8.StreamOrdered(stream_.get(), stream_.get());
  u8.Resize(n);
  LaunchClassifier(box, spec, invert, out_rows, out_cols, u8.get());
  const bool withTensor = mode != TensorMode::kNone;
  cuda::DeviceBuffer<float> tensor;
  tensor.StreamOrdered(stream_.get(), stream_.get());
  tensor.Resize(withTensor ? 3 * n : 0);
  LaunchExpandChannels(u8.get(), static_cast<int64_t>(n), mode, tensor.get(), stream_.get());
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

std::shared_ptr<DevicePlane> GpuImage::ClassifierPlane(const imgproc::Box& box, const imgproc::WindowSpec& spec,
                                                       bool invert, int32_t out_rows, int32_t out_cols) {
  imgproc::CheckBox(box, rows_, cols_);
  const size_t n = imgproc::PixelCount(out_rows, out_cols, 4 * 3);
  auto plane = std::make_shared<DevicePlane>();
  plane->rows = out_rows;
  plane->cols = out_cols;
  RSNA_CUDA_CHECK(cudaGetDevice(&plane->device));
  // Allocated on this image's stream; freed on the legacy stream, since the plane outlives the image
  // and every later use (download, batch fill) is synchronized before it is released.
  plane->u8.StreamOrdered(stream_.get(), nullptr);
  std::lock_guard<std::mutex> lock(mutex_);
  plane->u8.Resize(n);
  LaunchClassifier(box, spec, invert, out_rows, out_cols, plane->u8.get());
  stream_.Sync();  // handed over finished (the DeviceTensor contract)
  return plane;
}

DeviceBatch::DeviceBatch() { RSNA_CUDA_CHECK(cudaGetDevice(&device_)); }

void DeviceBatch::Fill(const std::vector<Item>& items, int32_t rows, int32_t cols) {
  const size_t plane = imgproc::PixelCount(rows, cols, 4 * 3);
  if (items.empty()) throw NativeError("ERR_INVALID_ARGUMENT", "a batch needs at least one image");
  const size_t count = CheckedBytes(items.size(), 3 * plane, 1, size_t(1) << 34);
  std::lock_guard<std::mutex> lock(mutex_);
  if (tensor_.size() < count) tensor_.Resize(count);  // grows only
  for (size_t b = 0; b < items.size(); ++b) {
    const Item& item = items[b];
    const uint8_t* source = nullptr;
    if (item.plane) {
      if (item.plane->rows != rows || item.plane->cols != cols) {
        throw NativeError("ERR_INFER_SHAPE", "classifier input " + std::to_string(b) + " is " + std::to_string(item.plane->rows) +
                                                 "x" + std::to_string(item.plane->cols) + ", expected " +
                                                 std::to_string(rows) + "x" + std::to_string(cols));
      }
      if (item.plane->device != device_) throw NativeError("ERR_INVALID_ARGUMENT", "classifier input on another GPU");
      source = item.plane->u8.get();
    } else {
      if (staging_.size() < plane) staging_.Resize(plane);
      // The previous slot's kernel may still read the staging plane: queued on the same stream, so
      // ordered; the host copy itself waits only for the pinned chunks.
      cuda::PinnedStaging::Instance().Upload(staging_.get(), item.host, plane, stream_.get());
      source = staging_.get();
    }
    LaunchExpandChannels(source, static_cast<int64_t>(plane), TensorMode::kFloat255, tensor_.get() + b * 3 * plane,
                         stream_.get());
  }
  stream_.Sync();
  dims_ = {static_cast<int64_t>(items.size()), 3, rows, cols};
}

void DeviceBatch::Download(float* host, size_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  tensor_.Download(host, count, stream_.get());
  stream_.Sync();
}

uint64_t DeviceBatch::Address() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reinterpret_cast<uint64_t>(tensor_.get());
}

std::vector<int64_t> DeviceBatch::Dims() {
  std::lock_guard<std::mutex> lock(mutex_);
  return dims_;
}

}  // namespace gpu
}  // namespace rsna
