// The deterministic end of the training transform (docs/ALGORITHMS.md §3.2.3, §3.4): fit-resize with
// OpenCV INTER_LINEAR on uint8 + centred zero PadIfNeeded (the addon's kernel, imgproc
// TrainingResizeU8, compiled into the trainer), then timm's per-channel normalisation.
#pragma once
#include <opencv2/core.hpp>

namespace rsna {
namespace train {
namespace data {

// uint8 out_h×out_w with the input's channel count (1 or 3).
cv::Mat FitResizePad(const cv::Mat& image, int out_h, int out_w);

// [3, H, W] float32 at `dst`: x_c = float32(float32(v − mean_c) / std_c) with mean/std the ImageNet
// constants ×255 rounded to float32 (PrefetchLoader's sub_ then div_). A 1-channel image feeds all
// three channels; a 3-channel one maps its channel c (BGR order, as cv2 loads) to channel c.
void NormalizeToChw(const cv::Mat& image, float* dst);

}  // namespace data
}  // namespace train
}  // namespace rsna
