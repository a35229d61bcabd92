// `steps-yolox`: K training steps of YOLOX on one fixed batch, for parity with the original
// (yolox/core/trainer.py train_one_iter order: forward with targets, zero_grad, backward,
// optimizer.step, EMA update). Writes losses.json (step 1), grads_step1.bin (named_parameters
// order), param_groups.json (names per optimizer group), simota.json + simota_img{i}_{cost,ious}.bin (step 1), train_outputs_step1.bin and
// state_after_step{K}.bin (every floating state entry) with state_layout.txt.
// `lr-yolox`: the yoloxwarmcos table of a configuration (update_lr(i) and the lr used per iteration).
#include <sstream>
#include "addon/errors.h"
#include "train/cli/subcommand.h"
#include "train/common/args.h"
#include "train/common/flat_io.h"
#include "train/common/json_lines.h"
#include "train/yolox/loss.h"
#include "train/yolox/lr_schedule.h"
#include "train/yolox/model.h"
#include "train/yolox/train_state.h"

namespace rsna {
namespace train {
namespace yolox {
namespace {

using torch::Tensor;

template <typename T>
std::string JsonArray(const std::vector<T>& v) {
  std::vector<double> d(v.begin(), v.end());
  return JsonNumberArray(d);
}

YoloxConfig ConfigFromArgs(const Args& a) {
  YoloxConfig c;
  c.depth = a.Double("depth", c.depth);
  c.width = a.Double("width", c.width);
  c.depthwise = !a.Has("no-depthwise");
  c.num_classes = a.Int("num-classes", c.num_classes);
  if (!(c.depth > 0) || !(c.width > 0) || c.num_classes < 1) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--depth/--width must be positive and --num-classes >= 1");
  }
  return c;
}

int RunStepsYolox(const std::vector<std::string>& argv) {
  Args a(argv, {"state", "layout", "images", "shape", "targets", "lr", "steps", "out", "threads", "depth", "width",
                "num-classes", "weight-decay", "momentum"},
         {"use-l1", "no-depthwise"});
  ConfigureThreads(a.Int("threads", 0));
  const YoloxConfig cfg = ConfigFromArgs(a);
  const std::vector<int64_t> shape = a.IntList("shape");
  if (shape.size() != 4 || shape[1] != 3 || shape[0] < 1 || shape[2] % 32 || shape[3] % 32 || shape[2] < 32 || shape[3] < 32) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--shape must be N,3,H,W with H and W positive multiples of 32");
  }
  const int64_t steps = a.Int("steps", 1);
  if (steps < 1) throw NativeError("ERR_INVALID_ARGUMENT", "--steps must be >= 1");
  const double lr = a.Double("lr");
  const bool use_l1 = a.Has("use-l1");
  const std::string out = a.Str("out");
  MakeDirs(out);

  const int64_t n = shape[0], pixels = CheckedBytes(shape[0], shape[1] * shape[2], shape[3]);
  std::vector<uint8_t> img = ReadBytes(a.Str("images"), static_cast<int64_t>(pixels));
  const std::string targets_path = a.Str("targets");
  const uint64_t tbytes = FileSize(targets_path);
  if (tbytes == 0 || tbytes % (static_cast<uint64_t>(n) * 5 * 4) != 0) {
    throw NativeError("ERR_BAD_SIZE", targets_path + ": expected float32 [" + std::to_string(n) + ", max_labels, 5], got " +
                                          std::to_string(tbytes) + " bytes");
  }
  const int64_t max_labels = static_cast<int64_t>(tbytes / (n * 5 * 4));
  std::vector<float> tgt = ReadFloat32File(targets_path, n * max_labels * 5);
  Tensor images = torch::from_blob(img.data(), shape, torch::kUInt8).to(torch::kFloat32);
  Tensor labels = torch::from_blob(tgt.data(), {n, max_labels, 5}, torch::kFloat32).clone();

  YoloxModel model(cfg);
  model->InitializeBiases(1e-2);
  LoadFloatState(model, a.Str("state"), a.Str("layout"), /*strict=*/true);
  YoloxOptimizer opt(model, lr, a.Double("momentum", 0.9), a.Double("weight-decay", 5e-4));
  {
    auto names = [](const std::vector<std::pair<std::string, Tensor>>& v) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + JsonQuote(v[i].first);
      return s + "]";
    };
    WriteTextFileAtomic(out + "/param_groups.json", "[" + names(opt.groups.bn_weights) + "," + names(opt.groups.weights) +
                                                        "," + names(opt.groups.biases) + "]\n");
  }
  ModelEma ema(cfg, model);
  model->train();
  for (int64_t step = 1; step <= steps; step++) {
    HeadOutputs h = model->ForwardLevels(images);
    LossResult r = YoloxLoss(h.levels, YoloxModelImpl::Strides(), labels, cfg.num_classes, use_l1, step == 1);
    opt.ZeroGrad();
    r.total.backward();
    if (step == 1) {
      std::ostringstream js;
      js << "{\"total_loss\":" << JsonNumber(r.total.item<double>()) << ",\"iou_loss\":" << JsonNumber(r.iou.item<double>())
         << ",\"conf_loss\":" << JsonNumber(r.obj.item<double>()) << ",\"cls_loss\":" << JsonNumber(r.cls.item<double>())
         << ",\"l1_loss\":" << JsonNumber(r.l1.item<double>()) << ",\"num_fg\":" << JsonNumber(r.num_fg_per_gt) << "}\n";
      WriteTextFileAtomic(out + "/losses.json", js.str());
      std::vector<float> grads;
      for (auto& p : ParameterEntries(*model)) {
        Tensor g = p.second.grad().defined() ? p.second.grad().contiguous() : torch::zeros_like(p.second);
        grads.insert(grads.end(), g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
      }
      WriteFloat32FileAtomic(out + "/grads_step1.bin", grads.data(), grads.size());
      Tensor dec = r.decoded.detach().contiguous();
      WriteFloat32FileAtomic(out + "/train_outputs_step1.bin", dec.data_ptr<float>(), dec.numel());
      std::ostringstream sj;
      sj << "{\"per_image\":[";
      for (size_t i = 0; i < r.simota.size(); i++) {
        const SimotaTrace& t = r.simota[i];
        sj << (i ? "," : "") << "{\"image\":" << i << ",\"num_gt\":" << t.num_gt << ",\"n_candidates\":" << t.candidates.size()
           << ",\"candidate_anchor_indices\":" << JsonArray(t.candidates) << ",\"dynamic_k_per_gt\":" << JsonArray(t.dynamic_k)
           << ",\"fg_anchor_indices\":" << JsonArray(t.fg_anchors) << ",\"matched_gt_inds\":" << JsonArray(t.matched_gt)
           << ",\"pred_ious_this_matching\":" << JsonArray(t.pred_ious) << ",\"num_fg\":" << t.fg_anchors.size() << "}";
        if (t.cost.defined()) {
          Tensor c = t.cost.contiguous(), u = t.ious.contiguous();
          WriteFloat32FileAtomic(out + "/simota_img" + std::to_string(i) + "_cost.bin", c.data_ptr<float>(), c.numel());
          WriteFloat32FileAtomic(out + "/simota_img" + std::to_string(i) + "_ious.bin", u.data_ptr<float>(), u.numel());
        }
      }
      sj << "],\"num_fg_total\":" << r.num_fg << "}\n";
      WriteTextFileAtomic(out + "/simota.json", sj.str());
    }
    opt.Step();
    ema.Update(model);
    JsonLine("progress").Int("step", step).Num("total_loss", r.total.item<double>()).Emit();
  }
  const std::string state_file = out + "/state_after_step" + std::to_string(steps) + ".bin";
  SaveFloatState(model, state_file, out + "/state_layout.txt");
  JsonLine("done").Str("state", state_file).Int("steps", steps).Emit();
  return 0;
}

int RunLrYolox(const std::vector<std::string>& argv) {
  Args a(argv, {"lr", "warmup-lr", "min-lr-ratio", "iters-per-epoch", "max-epoch", "warmup-epochs", "no-aug-epochs", "count"});
  WarmCosSchedule s;
  s.lr = a.Double("lr", s.lr);
  s.warmup_lr = a.Double("warmup-lr", s.warmup_lr);
  s.min_lr_ratio = a.Double("min-lr-ratio", s.min_lr_ratio);
  s.iters_per_epoch = a.Int("iters-per-epoch");
  s.max_epoch = a.Int("max-epoch", s.max_epoch);
  s.warmup_epochs = a.Int("warmup-epochs", s.warmup_epochs);
  s.no_aug_epochs = a.Int("no-aug-epochs", s.no_aug_epochs);
  if (s.iters_per_epoch < 1 || s.max_epoch < 1 || s.warmup_epochs < 0 || s.no_aug_epochs < 0) {
    throw NativeError("ERR_INVALID_ARGUMENT", "iters-per-epoch and max-epoch must be >= 1, warmup/no-aug epochs >= 0");
  }
  const int64_t total = s.iters_per_epoch * s.max_epoch;
  const int64_t count = a.Int("count", total + 1);
  std::vector<double> update, used;
  for (int64_t i = 0; i < count; i++) {
    update.push_back(s.warmup_epochs == 0 && i == 0 ? s.lr : s.Lr(i));
    if (i < total) used.push_back(s.LrDuring(i));
  }
  JsonLine("lr").Raw("update_lr", JsonNumberArray(update)).Raw("lr_used_during_iteration", JsonNumberArray(used)).Emit();
  return 0;
}

}  // namespace

RSNA_TRAIN_SUBCOMMAND("steps-yolox", RunStepsYolox, "K YOLOX steps on one batch (parity check)");
RSNA_TRAIN_SUBCOMMAND("lr-yolox", RunLrYolox, "yoloxwarmcos learning-rate table");

}  // namespace yolox
}  // namespace train
}  // namespace rsna
