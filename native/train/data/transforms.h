// The training augmentations of docs/ALGORITHMS.md §9.6 with FIXED parameters, each computed as
// albumentations 1.3.0 computes `apply(img, **params)` (same OpenCV calls, border modes, dtype
// round trips and rounding). Images are 8-bit cv::Mat with 1 or 3 channels (every op is per channel,
// so a grayscale crop gives the same values as its 3-channel copy). Parameter drawing lives in
// train_augment.h.
#pragma once
#include <array>
#include <cstdint>
#include <vector>
#include <opencv2/core.hpp>

namespace rsna {
namespace train {
namespace data {

// CustomRandomSizedCropNoResize.apply: y1 = int((H − h + 1)·h_start), x1 likewise; no resize.
struct CropParams {
  int crop_height = 0, crop_width = 0;
  double h_start = 0, w_start = 0;
};
cv::Mat Crop(const cv::Mat& img, const CropParams& p);

cv::Mat HorizontalFlip(const cv::Mat& img);
cv::Mat VerticalFlip(const cv::Mat& img);

// Downscale: uint8 → float32 /255, cv::resize by `scale` (fx = fy) with `down`, back to the input
// size with `up`, clip [0, 1], ×255 truncated to uint8. down/up are cv::InterpolationFlags.
cv::Mat Downscale(const cv::Mat& img, double scale, int down, int up);

// RandomToneCurve: LUT = rint(255·B(t)), B the cubic Bezier through (0, low_y, high_y, 1).
std::array<uint8_t, 256> ToneCurveLut(double low_y, double high_y);
cv::Mat ToneCurve(const cv::Mat& img, double low_y, double high_y);

// RandomBrightnessContrast (brightness_by_max): float32 LUT v·alpha + beta·255, clip, truncate.
std::array<uint8_t, 256> BrightnessContrastLut(double alpha, double beta);
cv::Mat BrightnessContrast(const cv::Mat& img, double alpha, double beta);

// ShiftScaleRotate: rotation matrix about (W/2 − 0.5, H/2 − 0.5), + (dx·W, dy·H); bilinear, constant 0.
cv::Mat ShiftScaleRotate(const cv::Mat& img, double angle_deg, double scale, double dx, double dy);

// ElasticTransform(alpha, sigma, alpha_affine, approximate False, same_dxdy False) with the fields
// of numpy RandomState(random_state): random affine, then remap by gaussian-smoothed noise.
struct ElasticParams {
  double alpha = 1, sigma = 20, alpha_affine = 10;
};
cv::Mat Elastic(const cv::Mat& img, uint32_t random_state, const ElasticParams& p = ElasticParams());

// GridDistortion with already-normalised steps (num_steps + 1 per axis); bilinear, constant 0.
cv::Mat GridDistortion(const cv::Mat& img, int num_steps, const std::vector<double>& stepsx,
                       const std::vector<double>& stepsy);
// GridDistortion._normalize (normalized=True) of raw steps 1 + U(−limit, limit), for an h×w image.
void NormalizeGridSteps(int h, int w, int num_steps, std::vector<double>& stepsx, std::vector<double>& stepsy);

// CoarseDropout: holes (x1, y1, x2, y2) set to 0.
struct Hole {
  int x1, y1, x2, y2;
};
cv::Mat CoarseDropout(const cv::Mat& img, const std::vector<Hole>& holes);

}  // namespace data
}  // namespace train
}  // namespace rsna
