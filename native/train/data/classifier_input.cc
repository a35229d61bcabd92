// Fit-resize + pad and normalisation (see classifier_input.h).
#include "train/data/classifier_input.h"

#include <array>
#include <cstring>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "imgproc/kernels.h"

namespace rsna {
namespace train {
namespace data {
namespace {

// 256-entry table per channel: the normalisation is a function of the uint8 value only.
struct NormalizeLuts {
  std::array<std::array<float, 256>, 3> lut;
  NormalizeLuts() {
    const double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
    for (int c = 0; c < 3; ++c) {
      const float m = static_cast<float>(mean[c] * 255), s = static_cast<float>(std[c] * 255);
      for (int v = 0; v < 256; ++v) lut[c][v] = (static_cast<float>(v) - m) / s;
    }
  }
};

}  // namespace

cv::Mat FitResizePad(const cv::Mat& image, int out_h, int out_w) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw NativeError("ERR_INVALID_ARGUMENT", "fit-resize: expected an 8-bit image with 1 or 3 channels");
  }
  if (out_h < 1 || out_w < 1) throw NativeError("ERR_INVALID_ARGUMENT", "fit-resize: output size must be positive");
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  for (cv::Mat& p : planes) {
    const cv::Mat src = p.isContinuous() ? p : p.clone();
    std::vector<uint8_t> out = imgproc::TrainingResizeU8(src.ptr<uint8_t>(), src.rows, src.cols, out_h, out_w);
    p = cv::Mat(out_h, out_w, CV_8U);
    std::memcpy(p.data, out.data(), out.size());
  }
  cv::Mat merged;
  cv::merge(planes, merged);
  return merged;
}

void NormalizeToChw(const cv::Mat& image, float* dst) {
  static const NormalizeLuts luts;
  const int cn = image.channels();
  const size_t plane = image.total();
  for (int c = 0; c < 3; ++c) {
    const std::array<float, 256>& lut = luts.lut[c];
    float* o = dst + c * plane;
    const int src_c = cn == 1 ? 0 : c;
    for (int y = 0; y < image.rows; ++y) {
      const uint8_t* p = image.ptr<uint8_t>(y) + src_c;
      for (int x = 0; x < image.cols; ++x, p += cn) *o++ = lut[*p];
    }
  }
}

}  // namespace data
}  // namespace train
}  // namespace rsna
