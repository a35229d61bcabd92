// The uint8 image operations of the Otsu ROI fallback (ALGORITHMS.md §2.6), each reproducing the
// integer behaviour of the numpy / OpenCV 4.6–4.7 call the original makes (extract_roi_otsu).
// Images are row-major, height × width, one channel.
#pragma once
#include <cstdint>
#include <vector>

namespace rsna {
namespace roi {

using U8Image = std::vector<uint8_t>;

// numpy.percentile(img, q) with the default 'linear' method on uint8 data (float64 result, numpy's
// _lerp including its "from the upper value when gamma ≥ 0.5" branch).
double PercentileU8(const U8Image& img, double q);

// cv2.GaussianBlur(img, (5, 5), 0) on CV_8U: OpenCV's bit-exact fixed-point path with the 1/16·[1,4,6,4,1]
// kernel (exact in Q8), BORDER_REFLECT_101, result = (Σ + 2^15) >> 16; an axis of length 1 is not filtered.
U8Image GaussianBlur5x5(const U8Image& img, int height, int width);

// getThreshVal_Otsu_8u: the threshold maximising the between-class variance (double arithmetic).
int OtsuThreshold(const U8Image& img);

// cv2.threshold(img, thr, 255, THRESH_BINARY) on CV_8U: 255 where pixel > thr, else 0.
U8Image ThresholdBinary(const U8Image& img, int thr);

// cv2.dilate with a 3×3 rectangle, one iteration, default constant border (outside pixels never win).
U8Image Dilate3x3(const U8Image& img, int height, int width);

}  // namespace roi
}  // namespace rsna
