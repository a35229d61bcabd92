// The detect stage of one image in one job (ALGORITHMS.md §2.2, §2.6, §1.5.3): min-max×255 of the raw
// image (inverted for MONOCHROME1) kept native, the 416 detector input from it, the resized image
// truncated to uint8, optionally the Otsu fallback on it, and a report thumbnail of the full image.
// The full-resolution float image never leaves this function.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "imgproc/kernels.h"
#include "roi/otsu_roi.h"

namespace rsna {
namespace roi {

struct DetectorImage {
  bool constant = false;              // every stored value equal: the full frame, no detector input (§1.5.3)
  imgproc::DetectorInputResult input;  // tensor and fit (its float `resized` is dropped after truncation)
  std::vector<uint8_t> resized_u8;     // resized_img.to(torch.uint8) (§2.6.1)
  bool has_otsu = false;
  OtsuSteps otsu;
  std::string otsu_error_code, otsu_error;  // an Otsu failure is the full frame's business (§2.7.1), not the job's
  imgproc::Thumbnail preview;          // empty unless asked
};

DetectorImage RunDetectorImage(const int16_t* raw, int32_t rows, int32_t cols, bool invert, int32_t size,
                               bool with_otsu, double preview_width);

}  // namespace roi
}  // namespace rsna
