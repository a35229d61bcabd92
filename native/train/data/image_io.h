// Stage-2 PNG reading as the original's dataset does it (cv2.imread → 8-bit BGR, docs/ALGORITHMS.md
// §3.2.1, §9.4.3) and atomic PNG writing. A grayscale PNG, or a BGR one whose 3 channels are
// identical, is kept as ONE channel: every transform and the resize are per channel, so the values
// equal those of the 3-channel copy at a third of the cost.
#pragma once
#include <string>
#include <opencv2/core.hpp>

namespace rsna {
namespace train {
namespace data {

// Throws NativeError("ERR_IMAGE_UNREADABLE", "<path>: <reason>") for a missing, unreadable, corrupt
// or truncated file.
cv::Mat ReadTrainingImage(const std::string& path);

// Lossless PNG through a temporary file + rename.
void WritePngAtomic(const std::string& path, const cv::Mat& image);

}  // namespace data
}  // namespace train
}  // namespace rsna
