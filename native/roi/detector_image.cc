// RunDetectorImage (detector_image.h): one libuv job per image for the detect stage.
#include "roi/detector_image.h"
#include "addon/errors.h"

namespace rsna {
namespace roi {

DetectorImage RunDetectorImage(const int16_t* raw, int32_t rows, int32_t cols, bool invert, int32_t size,
                               bool with_otsu, double preview_width) {
  const size_t n = imgproc::PixelCount(rows, cols, sizeof(float));
  DetectorImage r;
  std::vector<float> scaled = imgproc::MinMaxScale255(raw, n, invert, &r.constant);
  if (preview_width > 0) r.preview = imgproc::AreaThumbnail(scaled.data(), rows, cols, preview_width);
  if (r.constant) return r;
  r.input = imgproc::DetectorInput(scaled.data(), rows, cols, size);
  scaled = std::vector<float>();  // the full-resolution image is done with
  r.resized_u8.resize(r.input.resized.size());
  for (size_t i = 0; i < r.resized_u8.size(); ++i) r.resized_u8[i] = static_cast<uint8_t>(r.input.resized[i]);  // values in [0, 255]
  r.input.resized = std::vector<float>();
  if (with_otsu) {
    try {
      r.otsu = RunOtsu(r.resized_u8, r.input.fit.rows, r.input.fit.cols, false);
      r.has_otsu = true;
    } catch (const NativeError& e) {
      r.otsu_error_code = e.code();
      r.otsu_error = e.what();
    } catch (const std::exception& e) {
      r.otsu_error_code = "ERR_NATIVE";
      r.otsu_error = e.what();
    }
  }
  return r;
}

}  // namespace roi
}  // namespace rsna
