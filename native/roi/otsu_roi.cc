// See otsu_roi.h; the order of operations is that of extract_roi_otsu.
#include "roi/otsu_roi.h"

#include <algorithm>

#include "addon/errors.h"

namespace rsna {
namespace roi {

namespace {
int64_t CountNonzero(const U8Image& img) {
  return static_cast<int64_t>(std::count_if(img.begin(), img.end(), [](uint8_t v) { return v != 0; }));
}
}  // namespace

OtsuSteps RunOtsu(U8Image img, int height, int width, bool keep_images) {
  if (height <= 0 || width <= 0 || img.size() != static_cast<size_t>(height) * static_cast<size_t>(width)) {
    throw NativeError("ERR_INVALID_ARGUMENT", "Otsu ROI needs a non-empty height × width uint8 image");
  }
  OtsuSteps st;
  // §2.6.1: clip the brightest 5 % (implants, labels) to the image minimum.
  st.p95_upper = PercentileU8(img, 95.0);
  st.image_min = *std::min_element(img.begin(), img.end());
  for (uint8_t& v : img) {
    if (static_cast<double>(v) > st.p95_upper) {
      v = static_cast<uint8_t>(st.image_min);
      ++st.n_clipped;
    }
  }
  // §2.6.2–§2.6.4: blur, Otsu binarisation, one 3×3 dilation.
  U8Image blurred = GaussianBlur5x5(img, height, width);
  st.threshold = OtsuThreshold(blurred);
  U8Image binary = ThresholdBinary(blurred, st.threshold);
  U8Image dilated = Dilate3x3(binary, height, width);
  st.binary_foreground = CountNonzero(binary);
  st.dilated_foreground = CountNonzero(dilated);
  // §2.6.5: largest external contour (np.argmax keeps the first maximum).
  const std::vector<Contour> contours = FindExternalContours(dilated, height, width);
  for (size_t i = 0; i < contours.size(); ++i) {
    st.areas.push_back(ContourArea(contours[i]));
    st.n_points.push_back(static_cast<int>(contours[i].size()));
    if (st.largest < 0 || st.areas[i] > st.areas[static_cast<size_t>(st.largest)]) st.largest = static_cast<int>(i);
  }
  if (st.largest >= 0) {
    st.area_pct = st.areas[static_cast<size_t>(st.largest)] / (static_cast<double>(height) * static_cast<double>(width));
    st.rect = BoundingRect(contours[static_cast<size_t>(st.largest)]);
    // §2.6.6 "min-max for safety": [x, y, x+w, y+h] clamped to the resized image.
    st.box[0] = std::min(std::max(st.rect.x, 0), width);
    st.box[1] = std::min(std::max(st.rect.y, 0), height);
    st.box[2] = std::min(std::max(st.rect.x + st.rect.width, 0), width);
    st.box[3] = std::min(std::max(st.rect.y + st.rect.height, 0), height);
  }
  if (keep_images) {
    st.clipped = std::move(img);
    st.blurred = std::move(blurred);
    st.binary = std::move(binary);
    st.dilated = std::move(dilated);
  }
  return st;
}

}  // namespace roi
}  // namespace rsna
