// Stage-2 PNG reading/writing (see image_io.h).
#include "train/data/image_io.h"

#include <vector>
#include <opencv2/imgcodecs.hpp>
#include "addon/errors.h"
#include "train/common/flat_io.h"

namespace rsna {
namespace train {
namespace data {
namespace {

[[noreturn]] void Unreadable(const std::string& path, const std::string& reason) {
  throw NativeError("ERR_IMAGE_UNREADABLE", path + ": " + reason);
}

bool ChannelsIdentical(const cv::Mat& bgr) {
  for (int y = 0; y < bgr.rows; ++y) {
    const uint8_t* p = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < bgr.cols; ++x, p += 3) {
      if (p[0] != p[1] || p[0] != p[2]) return false;
    }
  }
  return true;
}

}  // namespace

cv::Mat ReadTrainingImage(const std::string& path) {
  if (!PathExists(path)) Unreadable(path, "file not found");
  cv::Mat img;
  try {
    img = cv::imread(path, cv::IMREAD_UNCHANGED);
    // Anything but 8-bit gray/BGR goes through IMREAD_COLOR, exactly the original's conversion.
    if (!img.empty() && !(img.type() == CV_8UC1 || img.type() == CV_8UC3)) img = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    Unreadable(path, std::string("OpenCV could not decode it (") + e.what() + ")");
  }
  if (img.empty()) Unreadable(path, "not a decodable image (corrupt, truncated or not an image file)");
  if (img.channels() == 3 && ChannelsIdentical(img)) {
    cv::Mat gray;
    cv::extractChannel(img, gray, 0);
    return gray;
  }
  return img;
}

void WritePngAtomic(const std::string& path, const cv::Mat& image) {
  std::vector<uint8_t> bytes;
  if (!cv::imencode(".png", image, bytes)) throw NativeError("ERR_IO", path + ": PNG encoding failed");
  WriteBytesAtomic(path, bytes.data(), bytes.size());
}

}  // namespace data
}  // namespace train
}  // namespace rsna
