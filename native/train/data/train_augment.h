// The original's TrainAugment (docs/ALGORITHMS.md §9.6): an outer Compose (p 0.9) of crop, flips,
// OneOf(Downscale ×3), OneOf(ToneCurve, BrightnessContrast), OneOf(ShiftScaleRotate, Elastic,
// GridDistortion), CoarseDropout. Sampling (which ops fire, their parameters) is separated from
// applying, so the distributions can be checked without images. Parameters are drawn from
// AugRandom (our stream, not python's; same distributions, ranges inclusive as random.uniform).
#pragma once
#include <string>
#include <vector>
#include <opencv2/core.hpp>
#include "train/data/aug_random.h"
#include "train/data/transforms.h"

namespace rsna {
namespace train {
namespace data {

enum class AugKind { kCrop, kHFlip, kVFlip, kDownscale, kToneCurve, kBrightnessContrast, kShiftScaleRotate, kElastic,
                     kGridDistortion, kCoarseDropout };

struct AugOp {
  AugKind kind;
  CropParams crop;                       // kCrop
  double scale = 1;                      // kDownscale: factor; kShiftScaleRotate: zoom
  int down = 0, up = 0;                  // kDownscale: cv interpolation flags
  double low_y = 0, high_y = 0;          // kToneCurve
  double alpha = 1, beta = 0;            // kBrightnessContrast
  double angle = 0, dx = 0, dy = 0;      // kShiftScaleRotate
  uint32_t random_state = 0;             // kElastic
  std::vector<double> stepsx, stepsy;    // kGridDistortion (normalised)
  std::vector<Hole> holes;               // kCoarseDropout
};

// Ops in application order; empty when the outer Compose did not fire (p = 0.1).
using AugPlan = std::vector<AugOp>;

AugPlan SampleTrainAugment(AugRandom& rng, int rows, int cols);
cv::Mat ApplyAugPlan(const cv::Mat& image, const AugPlan& plan);
// {"op":"crop",...} objects, for logs and the distribution checks.
std::string AugPlanJson(const AugPlan& plan);

}  // namespace data
}  // namespace train
}  // namespace rsna
