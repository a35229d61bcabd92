// The YOLOX training/validation data of ALGORITHMS.md §10.2–§10.3 (COCODataset + TrainTransform /
// ValTransform of YOLOX 0.3.0, mosaic/mixup/HSV off): OpenCV BGR read, fit-resize to the input size
// with INTER_LINEAR (int sizes), horizontal flip, 114 padding at the bottom/right, CHW float 0..255,
// labels [max_labels, 5] = cls, cx, cy, w, h. No torch here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rsna {
namespace train {
namespace yolox {

struct BoxXyxy {
  double x0, y0, x1, y1;
  int cls;
};

// One image of a manifest line: `path<TAB>height<TAB>width<TAB>x0,y0,x1,y1,cls;...` (boxes already
// clipped and filtered as COCODataset.load_anno_from_ids does; height/width from the COCO json).
struct ImageRecord {
  std::string path;
  int height = 0, width = 0;
  std::vector<BoxXyxy> boxes;
};

std::vector<ImageRecord> ReadManifest(const std::string& file);

// One prepared sample: CHW float32 [3, size, size] and labels [max_labels, 5].
struct Sample {
  std::vector<float> image;
  std::vector<float> labels;
  double scale = 1.0;  // r of the fit resize (val: detections / r → original pixels)
};

// Train sample (TrainTransform; `flip` = the flip_prob draw, made by the caller so that parallel
// loading stays deterministic); throws NativeError naming the file when unreadable.
Sample LoadTrainSample(const ImageRecord& rec, int size, int max_labels, bool flip);
// Validation sample (ValTransform: fit-resize + pad 114, no labels needed).
Sample LoadValSample(const ImageRecord& rec, int size);

}  // namespace yolox
}  // namespace train
}  // namespace rsna
