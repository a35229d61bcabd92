// TrainAugment sampling and application (docs/ALGORITHMS.md §9.6; see train_augment.h).
#include "train/data/train_augment.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include "train/common/json_lines.h"

namespace rsna {
namespace train {
namespace data {
namespace {

constexpr int kGridSteps = 5;

// CustomRandomSizedCropNoResize(scale (0.5, 1), ratio (0.5, 0.8)).get_params_dependent_on_targets.
CropParams SampleCrop(AugRandom& rng, int rows, int cols) {
  const double area = static_cast<double>(rows) * cols;
  const double ratio_lo = 0.5, ratio_hi = 0.8;
  auto params = [&](int h, int w, int64_t i, int64_t j) {
    CropParams p;
    p.crop_height = h;
    p.crop_width = w;
    p.h_start = i * 1.0 / (rows - h + 1e-10);
    p.w_start = j * 1.0 / (cols - w + 1e-10);
    return p;
  };
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = rng.Uniform(0.5, 1.0) * area;
    const double aspect = std::exp(rng.Uniform(std::log(ratio_lo), std::log(ratio_hi)));
    const int w = static_cast<int>(std::nearbyint(std::sqrt(target_area * aspect)));  // python round: half even
    const int h = static_cast<int>(std::nearbyint(std::sqrt(target_area / aspect)));
    if (0 < w && w <= cols && 0 < h && h <= rows) {
      const int64_t i = rng.RandInt(0, rows - h), j = rng.RandInt(0, cols - w);
      return params(h, w, i, j);
    }
  }
  // Fallback: central crop with the ratio clamped (whole image when already inside).
  const double in_ratio = static_cast<double>(cols) / rows;
  int w = cols, h = rows;
  if (in_ratio < ratio_lo) {
    h = static_cast<int>(std::nearbyint(w / ratio_lo));
  } else if (in_ratio > ratio_hi) {
    w = static_cast<int>(std::nearbyint(h * ratio_hi));
  }
  return params(h, w, (rows - h) / 2, (cols - w) / 2);
}

// CoarseDropout(holes 1..6, height fraction [0.05, 0.15], width fraction [0.1, 0.25]).
std::vector<Hole> SampleHoles(AugRandom& rng, int rows, int cols) {
  std::vector<Hole> holes;
  const int64_t n = rng.RandInt(1, 6);
  for (int64_t k = 0; k < n; ++k) {
    const int hh = static_cast<int>(rows * rng.Uniform(0.05, 0.15));
    const int hw = static_cast<int>(cols * rng.Uniform(0.1, 0.25));
    const int y1 = static_cast<int>(rng.RandInt(0, rows - hh)), x1 = static_cast<int>(rng.RandInt(0, cols - hw));
    holes.push_back(Hole{x1, y1, x1 + hw, y1 + hh});
  }
  return holes;
}

const char* KindName(AugKind k) {
  switch (k) {
    case AugKind::kCrop: return "crop";
    case AugKind::kHFlip: return "hflip";
    case AugKind::kVFlip: return "vflip";
    case AugKind::kDownscale: return "downscale";
    case AugKind::kToneCurve: return "tone_curve";
    case AugKind::kBrightnessContrast: return "brightness_contrast";
    case AugKind::kShiftScaleRotate: return "ssr";
    case AugKind::kElastic: return "elastic";
    case AugKind::kGridDistortion: return "grid_distortion";
    case AugKind::kCoarseDropout: return "coarse_dropout";
  }
  return "?";
}

}  // namespace

AugPlan SampleTrainAugment(AugRandom& rng, int rows, int cols) {
  AugPlan plan;
  if (!(rng.Random() < 0.9)) return plan;  // outer Compose p
  auto op = [](AugKind k) {
    AugOp o;
    o.kind = k;
    return o;
  };
  if (rng.Random() < 0.4) {
    AugOp o = op(AugKind::kCrop);
    o.crop = SampleCrop(rng, rows, cols);
    rows = o.crop.crop_height;
    cols = o.crop.crop_width;
    plan.push_back(o);
  }
  if (rng.Random() < 0.5) plan.push_back(op(AugKind::kHFlip));
  if (rng.Random() < 0.5) plan.push_back(op(AugKind::kVFlip));
  if (rng.Random() < 0.125) {  // OneOf: child by weight, then applied unconditionally
    static const int kDown[3] = {cv::INTER_AREA, cv::INTER_AREA, cv::INTER_LINEAR};
    static const int kUp[3] = {cv::INTER_LINEAR, cv::INTER_LANCZOS4, cv::INTER_LINEAR};
    const size_t child = rng.Choice({0.1, 0.1, 0.8});
    AugOp o = op(AugKind::kDownscale);
    o.down = kDown[child];
    o.up = kUp[child];
    o.scale = rng.Uniform(0.75, 0.95);
    plan.push_back(o);
  }
  if (rng.Random() < 0.5) {
    if (rng.Choice({0.5, 0.5}) == 0) {
      AugOp o = op(AugKind::kToneCurve);
      o.low_y = std::clamp(rng.Normal(0.25, 0.3), 0.0, 1.0);
      o.high_y = std::clamp(rng.Normal(0.75, 0.3), 0.0, 1.0);
      plan.push_back(o);
    } else {
      AugOp o = op(AugKind::kBrightnessContrast);
      o.alpha = 1.0 + rng.Uniform(-0.4, 0.5);
      o.beta = 0.0 + rng.Uniform(-0.1, 0.2);
      plan.push_back(o);
    }
  }
  if (rng.Random() < 0.5) {
    const size_t child = rng.Choice({0.6, 0.2, 0.2});
    if (child == 0) {
      AugOp o = op(AugKind::kShiftScaleRotate);
      o.angle = rng.Uniform(-30, 30);
      o.scale = rng.Uniform(1.0 - 0.15, 1.0 + 0.15);
      o.dx = rng.Uniform(-0.1, 0.1);
      o.dy = rng.Uniform(-0.2, 0.2);
      plan.push_back(o);
    } else if (child == 1) {
      AugOp o = op(AugKind::kElastic);
      o.random_state = static_cast<uint32_t>(rng.RandInt(0, 10000));
      plan.push_back(o);
    } else {
      AugOp o = op(AugKind::kGridDistortion);
      for (int i = 0; i <= kGridSteps; ++i) o.stepsx.push_back(1 + rng.Uniform(-0.3, 0.3));
      for (int i = 0; i <= kGridSteps; ++i) o.stepsy.push_back(1 + rng.Uniform(-0.3, 0.3));
      // The original divides by zero below 5 pixels; such a crop keeps its raw steps unused.
      if (rows >= kGridSteps && cols >= kGridSteps) {
        NormalizeGridSteps(rows, cols, kGridSteps, o.stepsx, o.stepsy);
        plan.push_back(o);
      }
    }
  }
  if (rng.Random() < 0.25) {
    AugOp o = op(AugKind::kCoarseDropout);
    o.holes = SampleHoles(rng, rows, cols);
    plan.push_back(o);
  }
  return plan;
}

cv::Mat ApplyAugPlan(const cv::Mat& image, const AugPlan& plan) {
  cv::Mat img = image;
  for (const AugOp& o : plan) {
    switch (o.kind) {
      case AugKind::kCrop: img = Crop(img, o.crop); break;
      case AugKind::kHFlip: img = HorizontalFlip(img); break;
      case AugKind::kVFlip: img = VerticalFlip(img); break;
      case AugKind::kDownscale: img = Downscale(img, o.scale, o.down, o.up); break;
      case AugKind::kToneCurve: img = ToneCurve(img, o.low_y, o.high_y); break;
      case AugKind::kBrightnessContrast: img = BrightnessContrast(img, o.alpha, o.beta); break;
      case AugKind::kShiftScaleRotate: img = ShiftScaleRotate(img, o.angle, o.scale, o.dx, o.dy); break;
      case AugKind::kElastic: img = Elastic(img, o.random_state); break;
      case AugKind::kGridDistortion: img = GridDistortion(img, kGridSteps, o.stepsx, o.stepsy); break;
      case AugKind::kCoarseDropout: img = CoarseDropout(img, o.holes); break;
    }
  }
  return img;
}

std::string AugPlanJson(const AugPlan& plan) {
  std::string s = "[";
  for (const AugOp& o : plan) {
    if (s.size() > 1) s += ",";
    s += "{\"op\":" + JsonQuote(KindName(o.kind));
    auto num = [&s](const char* k, double v) { s += std::string(",\"") + k + "\":" + JsonNumber(v); };
    switch (o.kind) {
      case AugKind::kCrop:
        num("crop_height", o.crop.crop_height);
        num("crop_width", o.crop.crop_width);
        num("h_start", o.crop.h_start);
        num("w_start", o.crop.w_start);
        break;
      case AugKind::kDownscale:
        num("scale", o.scale);
        num("down", o.down);
        num("up", o.up);
        break;
      case AugKind::kToneCurve:
        num("low_y", o.low_y);
        num("high_y", o.high_y);
        break;
      case AugKind::kBrightnessContrast:
        num("alpha", o.alpha);
        num("beta", o.beta);
        break;
      case AugKind::kShiftScaleRotate:
        num("angle", o.angle);
        num("scale", o.scale);
        num("dx", o.dx);
        num("dy", o.dy);
        break;
      case AugKind::kElastic: num("random_state", o.random_state); break;
      case AugKind::kGridDistortion:
        s += ",\"stepsx\":" + JsonNumberArray(o.stepsx) + ",\"stepsy\":" + JsonNumberArray(o.stepsy);
        break;
      case AugKind::kCoarseDropout: {
        std::string holes = "[";
        for (const Hole& h : o.holes) {
          if (holes.size() > 1) holes += ",";
          holes += "[" + std::to_string(h.x1) + "," + std::to_string(h.y1) + "," + std::to_string(h.x2) + "," +
                   std::to_string(h.y2) + "]";
        }
        s += ",\"holes\":" + holes + "]";
        break;
      }
      default: break;
    }
    s += "}";
  }
  return s + "]";
}

}  // namespace data
}  // namespace train
}  // namespace rsna
