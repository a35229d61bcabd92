// Host launcher of the CUDA twin of the YOLOX decode + obj·cls filter (ALGORITHMS.md §2.4–§2.5.2);
// CPU twin: DecodeYolox + FilterAnchors in yolox_post.cc. Compiled only into the CUDA addon.
#pragma once
#include <cstdint>
#include <vector>

#include "roi/yolox_grid.h"

namespace rsna {
namespace roi {

struct DecodeFilterResult {
  std::vector<float> decoded;        // anchors × 6, like decode_outputs
  std::vector<int32_t> candidates;   // anchors with obj·cls ≥ conf, ascending
};

// Uploads `raw` (grid.anchors × 6), decodes and filters on the current device, downloads the result.
DecodeFilterResult DecodeFilterCuda(const float* raw, const YoloxGrid& grid, double conf_thres);

}  // namespace roi
}  // namespace rsna
