// The classifier's training recipe around the model (header-only, torch): input normalisation as
// timm's PrefetchLoader (ALGORITHMS.md §3.4), positive-only smoothed targets and the BCE loss (§9.7).
#pragma once
#include <torch/torch.h>

namespace rsna {
namespace train {

// uint8 [B,3,H,W] → float32 `x.float().sub_(mean).div_(std)`, mean/std = ImageNet·255 (products in double).
inline torch::Tensor NormalizeImagenet(const torch::Tensor& u8) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(u8.device());
  torch::Tensor mean = torch::tensor({0.485 * 255, 0.456 * 255, 0.406 * 255}, opts).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({0.229 * 255, 0.224 * 255, 0.225 * 255}, opts).view({1, 3, 1, 1});
  return u8.to(torch::kFloat32).sub_(mean).div_(std);
}

// timm BinaryCrossEntropyPosSmoothOnly targets: float32(1 − smoothing) for positives, 0 for negatives, [B,1].
inline torch::Tensor PosSmoothTargets(const torch::Tensor& targets, double smoothing) {
  torch::Tensor pos = targets > 0;
  return torch::where(pos, torch::full({}, 1.0 - smoothing, torch::kFloat32).to(targets.device()),
                      torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(targets.device())))
      .view({-1, 1});
}

// Mean BCE-with-logits of [B,1] logits against the smoothed targets.
inline torch::Tensor PosSmoothBceLoss(const torch::Tensor& logits, const torch::Tensor& targets, double smoothing) {
  return torch::binary_cross_entropy_with_logits(logits, PosSmoothTargets(targets, smoothing).to(logits.dtype()));
}

}  // namespace train
}  // namespace rsna
