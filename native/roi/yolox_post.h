// YOLOX-nano head post-processing on the CPU (ALGORITHMS.md §2.3–§2.5): decode of the raw
// (anchors, 6) output, the obj·cls filter, torchvision-style batched NMS and the single-box choice
// of RoiExtractor.detect_single. All arithmetic is float32 in the original's operation order.
#pragma once
#include <cstdint>
#include <vector>

#include "roi/yolox_grid.h"

namespace rsna {
namespace roi {

constexpr int kRowChannels = 7;     // x0, y0, x1, y1, obj, cls_conf, cls_id

// §2.4: [(tx+gx)·s, (ty+gy)·s, exp(tw)·s, exp(th)·s, obj, cls] per anchor (= decode_outputs).
// `raw` must hold grid.anchors * kYoloxChannels floats; the result has the same size.
std::vector<float> DecodeYolox(const float* raw, const YoloxGrid& grid);

// One decoded anchor as a corner box (§2.4.2) with its scores, in the post_process row layout.
void AnchorToRow(const float* decoded_anchor, float* row);

// obj · max class score, in float32 (§2.5.1).
float AnchorScore(const float* decoded_anchor);

// §2.5.2: indices of the anchors whose obj·cls ≥ conf_thres (compared in double like torch), ascending.
std::vector<int32_t> FilterAnchors(const std::vector<float>& decoded, int anchors, double conf_thres);

// torchvision.ops.nms on the CPU: stable descending score order, suppress when IoU > thr (float32
// IoU without +1, compared with the double threshold). Returns kept indices in keep order.
std::vector<int32_t> Nms(const std::vector<float>& boxes /* n*4 */, const std::vector<float>& scores, double iou_thres);

// torchvision.ops.batched_nms (0.14): the coordinate-offset trick for ≤ 4000 box coordinates,
// per-class NMS merged by descending score otherwise.
std::vector<int32_t> BatchedNms(const std::vector<float>& boxes, const std::vector<float>& scores,
                                const std::vector<float>& class_ids, double iou_thres);

// decode + filter + batched NMS = RoiExtractor.post_process: rows of kRowChannels floats in NMS keep order.
std::vector<float> PostprocessYolox(const float* raw, const YoloxGrid& grid, double conf_thres, double nms_thres);

// §2.5.4–§2.5.6 applied to post_process rows.
struct YoloxSelection {
  bool found = false;    // false when no row passed the filter
  int row = -1;          // index of the chosen row (first maximum of obj·cls)
  float scaled[4] = {0, 0, 0, 0};  // the chosen row's corners / r (float32 division)
  float score = 0;       // obj·cls of the chosen row (float32)
  int box[4] = {0, 0, 0, 0};       // trunc + clamp to [0, W|H]
  double area_pct = 0;   // (x1−x0)(y1−y0)/(H·W)
  bool accepted = false; // area_pct ≥ area_thres
};
YoloxSelection SelectYoloxBox(const std::vector<float>& rows, double ratio, int height, int width, double area_thres);

}  // namespace roi
}  // namespace rsna
