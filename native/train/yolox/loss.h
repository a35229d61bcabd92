// YOLOX training loss (yolo_head.py get_losses of YOLOX 0.3.0, ALGORITHMS.md §10.4): per-level
// decode, SimOTA assignment (centre prior, cls/IoU cost, dynamic k, conflicts by minimum cost), IoU
// loss ×5, BCE objectness and class, optional L1 on the raw box outputs. The operations and their
// order follow the original so that float32 results agree to rounding.
#pragma once
#include <torch/torch.h>
#include <vector>

namespace rsna {
namespace train {
namespace yolox {

// What SimOTA decided for one image (recorded for the parity tests).
struct SimotaTrace {
  int64_t num_gt = 0;
  std::vector<int64_t> candidates;     // anchors in a GT box or its centre region (ascending)
  std::vector<int64_t> dynamic_k;      // per GT
  std::vector<int64_t> fg_anchors;     // final foreground anchors (ascending)
  std::vector<int64_t> matched_gt;     // per foreground anchor
  std::vector<float> pred_ious;        // per foreground anchor
  torch::Tensor cost, ious;            // [num_gt, candidates]
};

struct LossResult {
  torch::Tensor total, iou, obj, cls, l1;  // iou already ×5 (reg_weight); l1 is 0 when disabled
  double num_fg_per_gt = 0;                // total foreground anchors / total GTs
  int64_t num_fg = 0;
  std::vector<SimotaTrace> simota;         // filled when `trace` is set
  torch::Tensor decoded;                   // [B, anchors, 5 + C]: cx, cy, w, h (pixels), raw obj, cls
};

// `levels`: raw head outputs [B, 5 + C, H, W] per stride; `labels`: [B, max_labels, 5] = cls, cx,
// cy, w, h in pixels, all-zero rows are padding (a row counts when its sum is > 0).
LossResult YoloxLoss(const std::vector<torch::Tensor>& levels, const std::vector<int64_t>& strides,
                     const torch::Tensor& labels, int64_t num_classes, bool use_l1, bool trace);

}  // namespace yolox
}  // namespace train
}  // namespace rsna
