// Anchor layout of the YOLOX head for a square input (ALGORITHMS.md §2.3.1): levels with strides 8,
// 16, 32 and (size/stride)² cells each, stride-8 level first, row-major (y outer) inside a level.
// Header-only so that the CPU kernels and the CUDA twin share it.
#pragma once
#include <string>

#include "addon/errors.h"

namespace rsna {
namespace roi {

constexpr int kYoloxChannels = 6;  // tx, ty, tw, th, obj, cls (1 class)
constexpr int kYoloxLevels = 3;

struct YoloxGrid {
  explicit YoloxGrid(int size) : input_size(size) {
    if (size <= 0 || size % 32 != 0 || size > 8192) {
      throw NativeError("ERR_INVALID_ARGUMENT",
                        "YOLOX input size must be a positive multiple of 32 (got " + std::to_string(size) + ")");
    }
    for (int l = 0; l < kYoloxLevels; ++l) {
      level_stride[l] = 8 << l;
      level_size[l] = size / level_stride[l];
      level_first[l] = anchors;
      anchors += level_size[l] * level_size[l];
    }
  }
  int input_size;
  int anchors = 0;                   // 3549 for 416
  int level_size[kYoloxLevels];      // cells per side: 52, 26, 13
  int level_stride[kYoloxLevels];    // 8, 16, 32
  int level_first[kYoloxLevels];     // first anchor index of each level
};

}  // namespace roi
}  // namespace rsna
