// extract_roi_otsu of the original (ALGORITHMS.md §2.6) on the truncated uint8 resized detector image,
// with every intermediate kept for step-by-step parity checks (P8).
#pragma once
#include <cstdint>
#include <vector>

#include "roi/contours.h"
#include "roi/otsu_ops.h"

namespace rsna {
namespace roi {

struct OtsuSteps {
  double p95_upper = 0;          // np.percentile(img, 95)
  int image_min = 0;             // np.min(img) before clipping
  int64_t n_clipped = 0;         // pixels > upper, set to the minimum
  U8Image clipped, blurred, binary, dilated;  // kept only when requested
  int threshold = 0;             // Otsu threshold of the blurred image
  int64_t binary_foreground = 0, dilated_foreground = 0;
  std::vector<double> areas;     // contourArea of every external contour, in OpenCV's order
  std::vector<int> n_points;     // vertices of every contour
  int largest = -1;              // first maximum of areas; −1 when there is no contour
  Rect rect{0, 0, 0, 0};         // boundingRect of the largest contour
  int box[4] = {0, 0, 0, 0};     // [x, y, x+w, y+h] clamped to the resized image
  double area_pct = 0;           // largest area / (h'·w')
};

// Runs the whole fallback on `img` (height × width, modified copy). Throws on an empty image.
OtsuSteps RunOtsu(U8Image img, int height, int width, bool keep_images);

}  // namespace roi
}  // namespace rsna
