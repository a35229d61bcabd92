// Fixed-parameter augmentations, albumentations 1.3.0 arithmetic (docs/ALGORITHMS.md §9.6).
#include "train/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <opencv2/imgproc.hpp>
#include "addon/errors.h"
#include "train/data/gaussian_filter.h"
#include "train/data/numpy_legacy_random.h"
#include "train/data/numpy_math.h"

namespace rsna {
namespace train {
namespace data {
namespace {

void CheckU8(const cv::Mat& img, const char* op) {
  if (img.empty() || img.depth() != CV_8U || (img.channels() != 1 && img.channels() != 3)) {
    throw NativeError("ERR_INVALID_ARGUMENT", std::string(op) + ": expected a non-empty 8-bit image with 1 or 3 channels");
  }
}

cv::Mat ApplyLut(const cv::Mat& img, const std::array<uint8_t, 256>& lut) {
  cv::Mat out;
  cv::LUT(img, cv::Mat(1, 256, CV_8U, const_cast<uint8_t*>(lut.data())), out);
  return out;
}

}  // namespace

cv::Mat Crop(const cv::Mat& img, const CropParams& p) {
  CheckU8(img, "crop");
  if (p.crop_height <= 0 || p.crop_width <= 0 || p.crop_height > img.rows || p.crop_width > img.cols) {
    throw NativeError("ERR_INVALID_ARGUMENT", "crop: requested crop size (" + std::to_string(p.crop_height) + ", " +
                                                  std::to_string(p.crop_width) + ") does not fit the image size (" +
                                                  std::to_string(img.rows) + ", " + std::to_string(img.cols) + ")");
  }
  // get_random_crop_coords: int() truncates toward zero.
  const int y1 = static_cast<int>((img.rows - p.crop_height + 1) * p.h_start);
  const int x1 = static_cast<int>((img.cols - p.crop_width + 1) * p.w_start);
  const int top = std::clamp(y1, 0, img.rows - p.crop_height), left = std::clamp(x1, 0, img.cols - p.crop_width);
  return img(cv::Rect(left, top, p.crop_width, p.crop_height)).clone();
}

cv::Mat HorizontalFlip(const cv::Mat& img) {
  CheckU8(img, "hflip");
  cv::Mat out;
  cv::flip(img, out, 1);
  return out;
}

cv::Mat VerticalFlip(const cv::Mat& img) {
  CheckU8(img, "vflip");
  cv::Mat out;
  cv::flip(img, out, 0);
  return out;
}

cv::Mat Downscale(const cv::Mat& img, double scale, int down, int up) {
  CheckU8(img, "downscale");
  // to_float: float32(v) / 255 in float32 (a division, not a multiplication by 1/255).
  cv::Mat f(img.size(), CV_MAKETYPE(CV_32F, img.channels()));
  const size_t n = img.total() * img.channels();
  const cv::Mat src = img.isContinuous() ? img : img.clone();
  const uint8_t* s = src.ptr<uint8_t>();
  float* d = f.ptr<float>();
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<float>(s[i]) / 255.0f;
  cv::Mat small, big;
  cv::resize(f, small, cv::Size(), scale, scale, down);  // dsize from fx/fy, as cv2.resize(img, None, fx, fy)
  cv::resize(small, big, img.size(), 0, 0, up);
  // from_float(np.clip(x, 0, 1)): float32 x·255, truncated to uint8.
  cv::Mat out(img.size(), img.type());
  const float* b = big.ptr<float>();
  uint8_t* o = out.ptr<uint8_t>();
  for (size_t i = 0; i < n; ++i) {
    const float c = std::min(std::max(b[i], 0.0f), 1.0f);
    o[i] = static_cast<uint8_t>(c * 255.0f);
  }
  return out;
}

std::array<uint8_t, 256> ToneCurveLut(double low_y, double high_y) {
  std::array<uint8_t, 256> lut{};
  for (int i = 0; i < 256; ++i) {
    const double t = LinspaceAt(0.0, 1.0, 256, i);
    // python: 3 * (1 - t) ** 2 * t * low_y + 3 * (1 - t) * t**2 * high_y + t**3 (float ** → pow)
    const double v = 3 * std::pow(1 - t, 2.0) * t * low_y + 3 * (1 - t) * std::pow(t, 2.0) * high_y + std::pow(t, 3.0);
    lut[i] = static_cast<uint8_t>(std::nearbyint(v * 255));  // np.rint: half to even
  }
  return lut;
}

cv::Mat ToneCurve(const cv::Mat& img, double low_y, double high_y) {
  CheckU8(img, "tone_curve");
  if (!(low_y >= 0 && low_y <= 1 && high_y >= 0 && high_y <= 1)) {
    throw NativeError("ERR_INVALID_ARGUMENT", "tone_curve: low_y and high_y must be in [0, 1]");
  }
  return ApplyLut(img, ToneCurveLut(low_y, high_y));
}

std::array<uint8_t, 256> BrightnessContrastLut(double alpha, double beta) {
  // numpy float32 LUT; python-float operands are cast to float32 (value-based casting).
  std::array<uint8_t, 256> lut{};
  const float a = static_cast<float>(alpha), b = static_cast<float>(beta * 255);
  for (int i = 0; i < 256; ++i) {
    float v = static_cast<float>(i);
    if (alpha != 1) v = v * a;
    if (beta != 0) v = v + b;
    v = std::min(std::max(v, 0.0f), 255.0f);
    lut[i] = static_cast<uint8_t>(v);
  }
  return lut;
}

cv::Mat BrightnessContrast(const cv::Mat& img, double alpha, double beta) {
  CheckU8(img, "brightness_contrast");
  return ApplyLut(img, BrightnessContrastLut(alpha, beta));
}

cv::Mat ShiftScaleRotate(const cv::Mat& img, double angle_deg, double scale, double dx, double dy) {
  CheckU8(img, "shift_scale_rotate");
  const int h = img.rows, w = img.cols;
  cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(static_cast<float>(w / 2.0 - 0.5), static_cast<float>(h / 2.0 - 0.5)),
                                      angle_deg, scale);
  m.at<double>(0, 2) += dx * w;
  m.at<double>(1, 2) += dy * h;
  cv::Mat out;
  cv::warpAffine(img, out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

cv::Mat Elastic(const cv::Mat& img, uint32_t random_state, const ElasticParams& p) {
  CheckU8(img, "elastic");
  const int h = img.rows, w = img.cols;
  NumpyLegacyRandom rs(random_state);
  // Random affine: pts1 from (height, width)//2 in float32 (the original's row/col order kept).
  const float c0 = std::floor(static_cast<float>(h) / 2.0f), c1 = std::floor(static_cast<float>(w) / 2.0f);
  const float sq = static_cast<float>(std::min(h, w) / 3);
  const float pts1[3][2] = {{c0 + sq, c1 + sq}, {c0 + sq, c1 - sq}, {c0 - sq, c1 - sq}};
  cv::Point2f src[3], dst[3];
  for (int k = 0; k < 3; ++k) {
    src[k] = cv::Point2f(pts1[k][0], pts1[k][1]);
    const float u0 = static_cast<float>(rs.Uniform(-p.alpha_affine, p.alpha_affine));
    const float u1 = static_cast<float>(rs.Uniform(-p.alpha_affine, p.alpha_affine));
    dst[k] = cv::Point2f(pts1[k][0] + u0, pts1[k][1] + u1);
  }
  cv::Mat affine = cv::getAffineTransform(src, dst);
  cv::Mat warped;
  cv::warpAffine(img, warped, affine, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  // Displacement fields: float32(gaussian_filter(rand(h, w)·2 − 1, sigma)·alpha), dx then dy.
  const size_t n = static_cast<size_t>(h) * w;
  cv::Mat map_x(h, w, CV_32F), map_y(h, w, CV_32F);
  std::vector<double> field(n);
  for (int axis = 0; axis < 2; ++axis) {
    for (size_t i = 0; i < n; ++i) field[i] = rs.RandomSample() * 2 - 1;
    GaussianFilter2d(field, h, w, p.sigma);
    cv::Mat& map = axis == 0 ? map_x : map_y;
    for (int y = 0; y < h; ++y) {
      float* m = map.ptr<float>(y);
      const double* f = field.data() + static_cast<size_t>(y) * w;
      for (int x = 0; x < w; ++x) {
        const double d = static_cast<float>(f[x] * p.alpha);
        m[x] = static_cast<float>((axis == 0 ? x : y) + d);  // np.float32(x + dx): float64 sum
      }
    }
  }
  cv::Mat out;
  cv::remap(warped, out, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

namespace {

// grid_distortion's 1-D map: num_steps + 1 linspace segments of `step` pixels (zeros where the
// original's loop leaves them).
std::vector<float> GridAxis(int size, int num_steps, const std::vector<double>& steps) {
  std::vector<float> axis(size, 0.0f);
  const int step = size / num_steps;
  double prev = 0;
  for (int idx = 0; idx <= num_steps; ++idx) {
    const int start = idx * step;
    int end = start + step;
    double cur;
    if (end > size) {
      end = size;
      cur = size;
    } else {
      cur = prev + step * steps[idx];
    }
    for (int i = start; i < end; ++i) axis[i] = static_cast<float>(LinspaceAt(prev, cur, end - start, i - start));
    prev = cur;
  }
  return axis;
}

}  // namespace

cv::Mat GridDistortion(const cv::Mat& img, int num_steps, const std::vector<double>& stepsx,
                       const std::vector<double>& stepsy) {
  CheckU8(img, "grid_distortion");
  if (num_steps < 1 || stepsx.size() != static_cast<size_t>(num_steps) + 1 ||
      stepsy.size() != static_cast<size_t>(num_steps) + 1) {
    throw NativeError("ERR_INVALID_ARGUMENT", "grid_distortion: need num_steps + 1 steps per axis");
  }
  const int h = img.rows, w = img.cols;
  const std::vector<float> xx = GridAxis(w, num_steps, stepsx), yy = GridAxis(h, num_steps, stepsy);
  cv::Mat map_x(h, w, CV_32F), map_y(h, w, CV_32F);
  for (int y = 0; y < h; ++y) {
    float* mx = map_x.ptr<float>(y);
    float* my = map_y.ptr<float>(y);
    for (int x = 0; x < w; ++x) {
      mx[x] = xx[x];
      my[x] = yy[y];
    }
  }
  cv::Mat out;
  cv::remap(img, out, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

void NormalizeGridSteps(int h, int w, int num_steps, std::vector<double>& stepsx, std::vector<double>& stepsy) {
  auto normalize = [num_steps](int size, std::vector<double>& steps) {
    const int step = size / num_steps;
    const int last = std::min(size, (num_steps + 1) * step) - num_steps * step;
    steps.back() *= static_cast<double>(last) / step;
    const double t = size / std::floor(static_cast<double>(size) / num_steps);
    const double factor = t / NumpySum(steps);
    for (double& s : steps) s = s * factor;
  };
  normalize(w, stepsx);
  normalize(h, stepsy);
}

cv::Mat CoarseDropout(const cv::Mat& img, const std::vector<Hole>& holes) {
  CheckU8(img, "coarse_dropout");
  cv::Mat out = img.clone();
  for (const Hole& hole : holes) {
    const int x1 = std::clamp(hole.x1, 0, img.cols), x2 = std::clamp(hole.x2, 0, img.cols);
    const int y1 = std::clamp(hole.y1, 0, img.rows), y2 = std::clamp(hole.y2, 0, img.rows);
    if (x2 > x1 && y2 > y1) out(cv::Rect(x1, y1, x2 - x1, y2 - y1)).setTo(cv::Scalar::all(0));
  }
  return out;
}

}  // namespace data
}  // namespace train
}  // namespace rsna
