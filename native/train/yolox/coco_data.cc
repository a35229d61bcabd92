#include "train/yolox/coco_data.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include "addon/errors.h"

namespace rsna {
namespace train {
namespace yolox {
namespace {

cv::Mat ReadBgr(const std::string& path) {
  cv::Mat img;
  try {
    img = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw NativeError("ERR_IMAGE_UNREADABLE", path + ": " + e.what());
  }
  if (img.empty()) throw NativeError("ERR_IMAGE_UNREADABLE", path + ": missing or not a readable image");
  return img;
}

// load_resized_img / preproc resize: r = min(size/h, size/w), dsize (int(w·r), int(h·r)), INTER_LINEAR.
cv::Mat FitResize(const cv::Mat& img, int size, double* r_out) {
  const double r = std::min(static_cast<double>(size) / img.rows, static_cast<double>(size) / img.cols);
  const int w = static_cast<int>(img.cols * r), h = static_cast<int>(img.rows * r);
  cv::Mat out;
  cv::resize(img, out, cv::Size(std::max(w, 1), std::max(h, 1)), 0, 0, cv::INTER_LINEAR);
  if (r_out) *r_out = r;
  return out;
}

// preproc(img, (size, size)): 114 canvas, resized image at the top-left, HWC → CHW float.
std::vector<float> Preproc(const cv::Mat& img, int size, double* r_out) {
  cv::Mat resized = FitResize(img, size, r_out);
  std::vector<float> chw(static_cast<size_t>(3) * size * size, 114.0f);
  for (int y = 0; y < resized.rows && y < size; y++) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < resized.cols && x < size; x++) {
      for (int c = 0; c < 3; c++) chw[(static_cast<size_t>(c) * size + y) * size + x] = row[x * 3 + c];
    }
  }
  return chw;
}

}  // namespace

std::vector<ImageRecord> ReadManifest(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw NativeError("ERR_FILE_NOT_FOUND", file + ": cannot open the image list");
  std::vector<ImageRecord> out;
  std::string line;
  int64_t lineno = 0;
  while (std::getline(in, line)) {
    lineno++;
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, '\t')) f.push_back(part);
    if (f.size() < 3) throw NativeError("ERR_BAD_MANIFEST", file + ":" + std::to_string(lineno) + ": expected path, height, width, boxes");
    ImageRecord r;
    r.path = f[0];
    r.height = std::stoi(f[1]);
    r.width = std::stoi(f[2]);
    if (f.size() > 3) {
      std::stringstream bs(f[3]);
      std::string box;
      while (std::getline(bs, box, ';')) {
        if (box.empty()) continue;
        BoxXyxy b{};
        if (std::sscanf(box.c_str(), "%lf,%lf,%lf,%lf,%d", &b.x0, &b.y0, &b.x1, &b.y1, &b.cls) != 5) {
          throw NativeError("ERR_BAD_MANIFEST", file + ":" + std::to_string(lineno) + ": bad box \"" + box + "\"");
        }
        r.boxes.push_back(b);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Sample LoadTrainSample(const ImageRecord& rec, int size, int max_labels, bool flip) {
  // COCODataset.pull_item: image fit-resized, boxes scaled by r from the json height/width.
  double r0 = 1.0;
  cv::Mat img = FitResize(ReadBgr(rec.path), size, nullptr);
  r0 = std::min(static_cast<double>(size) / rec.height, static_cast<double>(size) / rec.width);
  std::vector<BoxXyxy> boxes = rec.boxes;
  for (auto& b : boxes) {
    b.x0 *= r0; b.y0 *= r0; b.x1 *= r0; b.y1 *= r0;
  }
  Sample s;
  s.labels.assign(static_cast<size_t>(max_labels) * 5, 0.0f);
  if (boxes.empty()) {
    s.image = Preproc(img, size, &s.scale);
    return s;
  }
  // TrainTransform: mirror with flip_prob, preproc, xyxy → cxcywh × r_, keep min(w, h) > 1.
  cv::Mat t = img;
  std::vector<BoxXyxy> fb = boxes;
  if (flip) {
    cv::flip(img, t, 1);
    for (auto& b : fb) {
      const double x0 = b.x0, x1 = b.x1;
      b.x0 = img.cols - x1;
      b.x1 = img.cols - x0;
    }
  }
  double r = 1.0;
  s.image = Preproc(t, size, &r);
  struct Row { double cls, cx, cy, w, h; };
  std::vector<Row> rows;
  for (auto& b : fb) {
    const double w = (b.x1 - b.x0), h = (b.y1 - b.y0);
    Row row{static_cast<double>(b.cls), (b.x0 + w * 0.5) * r, (b.y0 + h * 0.5) * r, w * r, h * r};
    if (std::min(row.w, row.h) > 1) rows.push_back(row);
  }
  if (rows.empty()) {  // every box degenerate after the transform: the unflipped original is used
    double ro = 1.0;
    s.image = Preproc(img, size, &ro);
    for (auto& b : boxes) {
      const double w = (b.x1 - b.x0), h = (b.y1 - b.y0);
      rows.push_back(Row{static_cast<double>(b.cls), (b.x0 + w * 0.5) * ro, (b.y0 + h * 0.5) * ro, w * ro, h * ro});
    }
  }
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(max_labels); i++) {
    float* l = &s.labels[i * 5];
    l[0] = static_cast<float>(rows[i].cls);
    l[1] = static_cast<float>(rows[i].cx);
    l[2] = static_cast<float>(rows[i].cy);
    l[3] = static_cast<float>(rows[i].w);
    l[4] = static_cast<float>(rows[i].h);
  }
  s.scale = r0;
  return s;
}

Sample LoadValSample(const ImageRecord& rec, int size) {
  cv::Mat img = FitResize(ReadBgr(rec.path), size, nullptr);
  Sample s;
  double r = 1.0;
  s.image = Preproc(img, size, &r);
  s.scale = std::min(static_cast<double>(size) / rec.height, static_cast<double>(size) / rec.width);
  return s;
}

}  // namespace yolox
}  // namespace train
}  // namespace rsna
