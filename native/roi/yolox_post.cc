// ALGORITHMS.md §2.3–§2.5 on the CPU; see yolox_post.h. Float32 throughout, -ffp-contract=off (binding.gyp)
// so that no multiply-add is fused where the original (torch CPU) rounds twice.
#include "roi/yolox_post.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "addon/errors.h"
#include "math/torch_expf.h"

namespace rsna {
namespace roi {

namespace {
// torchvision 0.14 batched_nms switches to per-class NMS above this many box coordinates on the CPU.
constexpr size_t kCoordinateTrickLimit = 4000;
}  // namespace

std::vector<float> DecodeYolox(const float* raw, const YoloxGrid& grid) {
  std::vector<float> out(static_cast<size_t>(grid.anchors) * kYoloxChannels);
  for (int level = 0; level < kYoloxLevels; ++level) {
    const int cells = grid.level_size[level];
    const float stride = static_cast<float>(grid.level_stride[level]);
    for (int gy = 0; gy < cells; ++gy) {
      for (int gx = 0; gx < cells; ++gx) {
        const size_t a = static_cast<size_t>(grid.level_first[level] + gy * cells + gx);
        const float* in = raw + a * kYoloxChannels;
        float* o = out.data() + a * kYoloxChannels;
        // §2.4.1: grid (x, y) from an 'ij' meshgrid; (t + g)·s and exp(t)·s in float32.
        o[0] = (in[0] + static_cast<float>(gx)) * stride;
        o[1] = (in[1] + static_cast<float>(gy)) * stride;
        o[2] = TorchCpuExpf(in[2]) * stride;
        o[3] = TorchCpuExpf(in[3]) * stride;
        o[4] = in[4];
        o[5] = in[5];
      }
    }
  }
  return out;
}

void AnchorToRow(const float* d, float* row) {
  // box_corner of post_process: cx ∓ w/2, cy ∓ h/2 (float32; halving is exact).
  row[0] = d[0] - d[2] / 2.0f;
  row[1] = d[1] - d[3] / 2.0f;
  row[2] = d[0] + d[2] / 2.0f;
  row[3] = d[1] + d[3] / 2.0f;
  row[4] = d[4];
  row[5] = d[5];  // class_conf = max over the single class score
  row[6] = 0.0f;  // class_pred = argmax = 0
}

float AnchorScore(const float* d) { return d[4] * d[5]; }

std::vector<int32_t> FilterAnchors(const std::vector<float>& decoded, int anchors, double conf_thres) {
  std::vector<int32_t> kept;
  for (int a = 0; a < anchors; ++a) {
    const float score = AnchorScore(decoded.data() + static_cast<size_t>(a) * kYoloxChannels);
    if (static_cast<double>(score) >= conf_thres) kept.push_back(a);
  }
  return kept;
}

std::vector<int32_t> Nms(const std::vector<float>& boxes, const std::vector<float>& scores, double iou_thres) {
  const size_t n = scores.size();
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });
  std::vector<float> areas(n);
  for (size_t i = 0; i < n; ++i) {
    const float* b = &boxes[i * 4];
    areas[i] = (b[2] - b[0]) * (b[3] - b[1]);
  }
  std::vector<uint8_t> suppressed(n, 0);
  std::vector<int32_t> keep;
  for (size_t oi = 0; oi < n; ++oi) {
    const int32_t i = order[oi];
    if (suppressed[i]) continue;
    keep.push_back(i);
    const float* bi = &boxes[static_cast<size_t>(i) * 4];
    for (size_t oj = oi + 1; oj < n; ++oj) {
      const int32_t j = order[oj];
      if (suppressed[j]) continue;
      const float* bj = &boxes[static_cast<size_t>(j) * 4];
      const float w = std::max(0.0f, std::min(bi[2], bj[2]) - std::max(bi[0], bj[0]));
      const float h = std::max(0.0f, std::min(bi[3], bj[3]) - std::max(bi[1], bj[1]));
      const float inter = w * h;
      const float iou = inter / (areas[i] + areas[j] - inter);
      if (static_cast<double>(iou) > iou_thres) suppressed[j] = 1;
    }
  }
  return keep;
}

std::vector<int32_t> BatchedNms(const std::vector<float>& boxes, const std::vector<float>& scores,
                                const std::vector<float>& class_ids, double iou_thres) {
  const size_t n = scores.size();
  if (n == 0) return {};
  if (n * 4 <= kCoordinateTrickLimit) {
    // Offsets every class by (max coordinate + 1) · class id so that classes never overlap.
    float max_coord = boxes[0];
    for (float v : boxes) max_coord = std::max(max_coord, v);
    std::vector<float> shifted(boxes.size());
    for (size_t i = 0; i < n; ++i) {
      const float offset = class_ids[i] * (max_coord + 1.0f);
      for (int k = 0; k < 4; ++k) shifted[i * 4 + k] = boxes[i * 4 + k] + offset;
    }
    return Nms(shifted, scores, iou_thres);
  }
  std::map<float, std::vector<int32_t>> by_class;
  for (size_t i = 0; i < n; ++i) by_class[class_ids[i]].push_back(static_cast<int32_t>(i));
  std::vector<uint8_t> kept(n, 0);
  for (const auto& entry : by_class) {
    const std::vector<int32_t>& members = entry.second;
    std::vector<float> b(members.size() * 4), s(members.size());
    for (size_t m = 0; m < members.size(); ++m) {
      std::copy_n(&boxes[static_cast<size_t>(members[m]) * 4], 4, &b[m * 4]);
      s[m] = scores[members[m]];
    }
    for (int32_t k : Nms(b, s, iou_thres)) kept[members[k]] = 1;
  }
  std::vector<int32_t> keep;
  for (size_t i = 0; i < n; ++i) {
    if (kept[i]) keep.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(keep.begin(), keep.end(), [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });
  return keep;
}

std::vector<float> PostprocessYolox(const float* raw, const YoloxGrid& grid, double conf_thres, double nms_thres) {
  const std::vector<float> decoded = DecodeYolox(raw, grid);
  const std::vector<int32_t> candidates = FilterAnchors(decoded, grid.anchors, conf_thres);
  const size_t n = candidates.size();
  std::vector<float> rows(n * kRowChannels), boxes(n * 4), scores(n), class_ids(n);
  for (size_t i = 0; i < n; ++i) {
    float* row = &rows[i * kRowChannels];
    AnchorToRow(decoded.data() + static_cast<size_t>(candidates[i]) * kYoloxChannels, row);
    std::copy_n(row, 4, &boxes[i * 4]);
    scores[i] = row[4] * row[5];
    class_ids[i] = row[6];
  }
  std::vector<float> out;
  out.reserve(rows.size());
  for (int32_t k : BatchedNms(boxes, scores, class_ids, nms_thres)) {
    out.insert(out.end(), rows.begin() + static_cast<size_t>(k) * kRowChannels,
               rows.begin() + static_cast<size_t>(k + 1) * kRowChannels);
  }
  return out;
}

namespace {
// Python's int() of a float32 (truncation toward zero), then clamped to [0, limit] (§2.5.5).
int TruncClamp(float v, int limit) {
  if (!std::isfinite(v)) {
    // int(inf) / int(nan) raise in the original; detect_single's caller then uses the full frame (§2.7).
    throw NativeError("ERR_ROI_NONFINITE", "the selected YOLOX box has a non-finite coordinate");
  }
  const double t = std::trunc(static_cast<double>(v));
  return static_cast<int>(std::min(std::max(t, 0.0), static_cast<double>(limit)));
}
}  // namespace

YoloxSelection SelectYoloxBox(const std::vector<float>& rows, double ratio, int height, int width, double area_thres) {
  YoloxSelection sel;
  const size_t n = rows.size() / kRowChannels;
  if (n == 0) return sel;
  // output[:, :4] / ratio: the Python float is a wrapped scalar, so torch divides in float32.
  const float r = static_cast<float>(ratio);
  for (size_t i = 0; i < n; ++i) {
    const float* row = &rows[i * kRowChannels];
    const float score = row[4] * row[5];
    if (sel.row < 0 || score > sel.score) {  // argmax keeps the first maximum
      sel.row = static_cast<int>(i);
      sel.score = score;
    }
  }
  const float* best = &rows[static_cast<size_t>(sel.row) * kRowChannels];
  for (int k = 0; k < 4; ++k) sel.scaled[k] = best[k] / r;
  sel.found = true;
  sel.box[0] = TruncClamp(sel.scaled[0], width);
  sel.box[1] = TruncClamp(sel.scaled[1], height);
  sel.box[2] = TruncClamp(sel.scaled[2], width);
  sel.box[3] = TruncClamp(sel.scaled[3], height);
  sel.area_pct = static_cast<double>(sel.box[2] - sel.box[0]) * static_cast<double>(sel.box[3] - sel.box[1]) /
                 (static_cast<double>(height) * static_cast<double>(width));
  sel.accepted = sel.area_pct >= area_thres;
  return sel;
}

}  // namespace roi
}  // namespace rsna
