// `rsna-mammo-train augs`: one augmentation with FIXED parameters on a PNG (the goldens' way of
// pinning albumentations' results), or parameter plans drawn by TrainAugment's sampler.
//   augs --op <name> --in in.png --out out.png [parameters]      → {"event":"augs",...}
//   augs --sample N --rows H --cols W [--seed S] [--epoch E]      → N {"event":"plan",...} lines
//   augs --batch jobs.txt   one `--op ...` argument list per line (saves the libtorch start-up per op)
// Ops and parameters (albumentations' names): crop --crop-height --crop-width --h-start --w-start;
// hflip; vflip; downscale --scale --down --up (cv flags); tone_curve --low-y --high-y;
// brightness_contrast --alpha --beta; ssr --angle --scale --dx --dy; elastic --random-state;
// grid_distortion --stepsx a,b,.. --stepsy a,b,.. (normalised, num_steps = count − 1);
// coarse_dropout --holes x1,y1,x2,y2[,x1,y1,x2,y2...]; fit_pad --out-h --out-w (§3.2.3).
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "train/cli/subcommand.h"
#include "train/common/args.h"
#include "train/common/json_lines.h"
#include "train/data/aug_random.h"
#include "train/data/classifier_input.h"
#include "train/data/image_io.h"
#include "train/data/train_augment.h"
#include "train/data/transforms.h"

namespace rsna {
namespace train {
namespace data {
namespace {

std::vector<Hole> ParseHoles(const std::vector<int64_t>& v) {
  if (v.size() % 4 != 0) throw NativeError("ERR_INVALID_ARGUMENT", "--holes needs groups of 4 integers x1,y1,x2,y2");
  std::vector<Hole> holes;
  for (size_t i = 0; i < v.size(); i += 4) {
    holes.push_back(Hole{static_cast<int>(v[i]), static_cast<int>(v[i + 1]), static_cast<int>(v[i + 2]),
                         static_cast<int>(v[i + 3])});
  }
  return holes;
}

cv::Mat ApplyOp(const std::string& op, const cv::Mat& img, const Args& a) {
  if (op == "crop") {
    CropParams p;
    p.crop_height = static_cast<int>(a.Int("crop-height"));
    p.crop_width = static_cast<int>(a.Int("crop-width"));
    p.h_start = a.Double("h-start");
    p.w_start = a.Double("w-start");
    return Crop(img, p);
  }
  if (op == "hflip") return HorizontalFlip(img);
  if (op == "vflip") return VerticalFlip(img);
  if (op == "downscale") {
    return Downscale(img, a.Double("scale"), static_cast<int>(a.Int("down")), static_cast<int>(a.Int("up")));
  }
  if (op == "tone_curve") return ToneCurve(img, a.Double("low-y"), a.Double("high-y"));
  if (op == "brightness_contrast") return BrightnessContrast(img, a.Double("alpha"), a.Double("beta"));
  if (op == "ssr") return ShiftScaleRotate(img, a.Double("angle"), a.Double("scale"), a.Double("dx"), a.Double("dy"));
  if (op == "elastic") {
    const int64_t rs = a.Int("random-state");
    if (rs < 0 || rs > 0xFFFFFFFFll) throw NativeError("ERR_INVALID_ARGUMENT", "--random-state must be in [0, 2^32)");
    return Elastic(img, static_cast<uint32_t>(rs));
  }
  if (op == "grid_distortion") {
    const std::vector<double> sx = a.DoubleList("stepsx"), sy = a.DoubleList("stepsy");
    return GridDistortion(img, static_cast<int>(sx.size()) - 1, sx, sy);
  }
  if (op == "coarse_dropout") return CoarseDropout(img, ParseHoles(a.IntList("holes")));
  if (op == "fit_pad") return FitResizePad(img, static_cast<int>(a.Int("out-h")), static_cast<int>(a.Int("out-w")));
  throw NativeError("ERR_INVALID_ARGUMENT", "unknown --op \"" + op + "\"");
}

const std::set<std::string> kOpOptions = {"op", "in", "out", "crop-height", "crop-width", "h-start", "w-start",
                                          "scale", "down", "up", "low-y", "high-y", "alpha", "beta", "angle", "dx",
                                          "dy", "random-state", "stepsx", "stepsy", "holes", "out-h", "out-w"};

void RunOne(const Args& a) {
  const std::string op = a.Str("op"), in = a.Str("in"), out = a.Str("out");
  const cv::Mat img = ReadTrainingImage(in);
  const cv::Mat result = ApplyOp(op, img, a);
  WritePngAtomic(out, result);
  JsonLine("augs")
      .Str("op", op)
      .Str("out", out)
      .Int("rows", result.rows)
      .Int("cols", result.cols)
      .Int("channels", result.channels())
      .Emit();
}

void RunBatch(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw NativeError("ERR_FILE_NOT_FOUND", path + ": cannot open the job list");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream words(line);
    std::vector<std::string> argv;
    for (std::string w; words >> w;) argv.push_back(w);
    if (!argv.empty()) RunOne(Args(argv, kOpOptions));
  }
}

void RunSample(const Args& a) {
  const int64_t n = a.Int("sample"), rows = a.Int("rows"), cols = a.Int("cols");
  if (n < 0 || rows < 1 || cols < 1) throw NativeError("ERR_INVALID_ARGUMENT", "--sample, --rows, --cols must be positive");
  const uint64_t seed = static_cast<uint64_t>(a.Int("seed", 42)), epoch = static_cast<uint64_t>(a.Int("epoch", 0));
  for (int64_t i = 0; i < n; ++i) {
    AugRandom rng(seed, epoch, static_cast<uint64_t>(i));
    const AugPlan plan = SampleTrainAugment(rng, static_cast<int>(rows), static_cast<int>(cols));
    JsonLine("plan").Int("index", i).Raw("ops", AugPlanJson(plan)).Emit();
  }
}

int RunAugs(const std::vector<std::string>& argv) {
  std::set<std::string> options = kOpOptions;
  options.insert({"batch", "sample", "rows", "cols", "seed", "epoch"});
  const Args a(argv, options);
  if (a.Has("sample")) {
    RunSample(a);
  } else if (a.Has("batch")) {
    RunBatch(a.Str("batch"));
  } else {
    RunOne(a);
  }
  return 0;
}

}  // namespace

RSNA_TRAIN_SUBCOMMAND("augs", RunAugs, "one training augmentation with fixed parameters on a PNG, or sampled plans");

}  // namespace data
}  // namespace train
}  // namespace rsna
