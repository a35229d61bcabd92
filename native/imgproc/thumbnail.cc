// Report thumbnails (AreaThumbnail) and the classifier batch tensor (FillBatchTensor): the image-sized
// loops that used to run on the JS thread (lib/pipeline/thumbnail.ts, tensor.ts), now on the libuv pool.
#include <algorithm>
#include <cmath>
#include <cstring>
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

template <typename T>
Thumbnail AreaThumbnail(const T* pixels, int32_t rows, int32_t cols, double width) {
  // JS Math.round (half up) of the requested width and of the kept aspect.
  auto round_half_up = [](double v) { return std::floor(v + 0.5); };
  Thumbnail t;
  t.width = static_cast<int32_t>(std::max(1.0, std::min(static_cast<double>(cols), round_half_up(width))));
  t.height = static_cast<int32_t>(std::max(1.0, round_half_up(static_cast<double>(rows) * t.width / cols)));
  t.data.resize(static_cast<size_t>(t.width) * t.height);
  for (int32_t ty = 0; ty < t.height; ++ty) {
    const int64_t y0 = int64_t(ty) * rows / t.height;
    const int64_t y1 = std::max(y0 + 1, int64_t(ty + 1) * rows / t.height);
    for (int32_t tx = 0; tx < t.width; ++tx) {
      const int64_t x0 = int64_t(tx) * cols / t.width;
      const int64_t x1 = std::max(x0 + 1, int64_t(tx + 1) * cols / t.width);
      double sum = 0;
      for (int64_t y = y0; y < y1; ++y)
        for (int64_t x = x0; x < x1; ++x) sum += static_cast<double>(pixels[y * cols + x]);
      const double mean = round_half_up(sum / static_cast<double>((y1 - y0) * (x1 - x0)));
      t.data[static_cast<size_t>(ty) * t.width + tx] = static_cast<uint8_t>(std::min(255.0, std::max(0.0, mean)));
    }
  }
  return t;
}

template Thumbnail AreaThumbnail<float>(const float*, int32_t, int32_t, double);
template Thumbnail AreaThumbnail<uint8_t>(const uint8_t*, int32_t, int32_t, double);

void FillBatchTensor(const std::vector<const uint8_t*>& inputs, size_t plane, float* out) {
  for (size_t n = 0; n < inputs.size(); ++n) {
    float* c0 = out + n * 3 * plane;
    for (size_t i = 0; i < plane; ++i) c0[i] = static_cast<float>(inputs[n][i]);
    std::memcpy(c0 + plane, c0, plane * sizeof(float));
    std::memcpy(c0 + 2 * plane, c0, plane * sizeof(float));
  }
}

}  // namespace imgproc
}  // namespace rsna
