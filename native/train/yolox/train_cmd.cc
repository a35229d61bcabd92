// `train-yolox`: the YOLOX training loop of yolox/core/trainer.py as the RSNA exp configures it
// (ALGORITHMS.md §10): infinite seeded index stream (torch.randperm with a generator seeded like
// InfiniteSampler), iterations per epoch = ceil(N / batch), forward + loss, zero_grad, backward, SGD
// step, EMA update, lr = yoloxwarmcos(progress + 1) after every iteration, L1 loss from epoch
// max_epoch − no_aug_epochs − 1 on. After each epoch the EMA state, the momentum buffers and the EMA
// model's raw outputs on the validation images go to <out>/epoch_<e>/ and an `epoch` event tells the
// driver (lib/train/yoloxTrain.ts), which evaluates (COCO AP) and writes the checkpoints.
// An unreadable training image is reported once (`skipped` event) and replaced by the next index.
#include <atomic>
#include <cmath>
#include <random>
#include <set>
#include <thread>
#include "addon/errors.h"
#include "train/cli/subcommand.h"
#include "train/common/args.h"
#include "train/common/flat_io.h"
#include "train/common/json_lines.h"
#include "train/yolox/coco_data.h"
#include "train/yolox/loss.h"
#include "train/yolox/lr_schedule.h"
#include "train/yolox/model.h"
#include "train/yolox/train_state.h"

namespace rsna {
namespace train {
namespace yolox {
namespace {

using torch::Tensor;

// InfiniteSampler: successive torch.randperm(n, generator) passes from one seeded generator.
class IndexStream {
 public:
  IndexStream(int64_t n, uint64_t seed) : n_(n), gen_(at::detail::createCPUGenerator(seed)) {}
  int64_t Next() {
    if (pos_ >= static_cast<int64_t>(perm_.size())) {
      Tensor p = torch::randperm(n_, gen_, torch::kInt64);
      perm_.assign(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + n_);
      pos_ = 0;
    }
    return perm_[pos_++];
  }

 private:
  int64_t n_;
  at::Generator gen_;
  std::vector<int64_t> perm_;
  int64_t pos_ = 0;
};

torch::Device PickDevice(const std::string& d) {
  if (d == "cpu") return torch::kCPU;
  if (d == "cuda") {
    if (!torch::cuda::is_available()) throw NativeError("ERR_CUDA_UNAVAILABLE", "--device cuda: libtorch sees no CUDA device");
    return torch::kCUDA;
  }
  if (d != "auto") throw NativeError("ERR_INVALID_ARGUMENT", "--device expects auto, cpu or cuda");
  return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

void WriteMomentum(const YoloxOptimizer& opt, const std::string& path, const std::string& layout) {
  auto ordered = opt.Ordered();
  auto bufs = opt.MomentumBuffers();
  std::vector<std::pair<std::string, Tensor>> entries;
  for (size_t i = 0; i < ordered.size(); i++) {
    entries.emplace_back(ordered[i].first, bufs[i].defined() ? bufs[i] : torch::zeros_like(ordered[i].second));
  }
  std::vector<float> flat;
  for (auto& e : entries) {
    Tensor c = e.second.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    flat.insert(flat.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  WriteFloat32FileAtomic(path, flat.data(), flat.size());
  WriteTextFileAtomic(layout, LayoutText(entries));
  // Group sizes and weight decays (BN weights, decayed weights, biases) for the optimizer state_dict.
  WriteTextFileAtomic(layout + ".groups", std::to_string(opt.groups.bn_weights.size()) + " 0\n" +
                                              std::to_string(opt.groups.weights.size()) + " " + JsonNumber(opt.weight_decay) + "\n" +
                                              std::to_string(opt.groups.biases.size()) + " 0\n");
}

void ReadMomentum(YoloxOptimizer& opt, const std::string& path) {
  auto ordered = opt.Ordered();
  int64_t total = 0;
  for (auto& e : ordered) total += e.second.numel();
  std::vector<float> flat = ReadFloat32File(path, total);
  std::vector<Tensor> bufs;
  int64_t off = 0;
  for (auto& e : ordered) {
    bufs.push_back(torch::from_blob(flat.data() + off, e.second.sizes(), torch::kFloat32).clone().to(e.second.device()));
    off += e.second.numel();
  }
  opt.SetMomentumBuffers(bufs);
}

// Fills one batch: indices and flip draws are taken sequentially (deterministic), the images are read
// and transformed by `workers` threads; a slot whose image fails is reported once and refilled.
void LoadBatch(const std::vector<ImageRecord>& train, IndexStream& stream, std::mt19937_64& rng, double flip_prob,
               std::set<int64_t>& bad, int size, int max_labels, int workers, std::vector<float>& imgs, std::vector<float>& labels) {
  const size_t batch = labels.size() / (static_cast<size_t>(max_labels) * 5);
  const size_t img_floats = static_cast<size_t>(3) * size * size, lab_floats = static_cast<size_t>(max_labels) * 5;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<size_t> pending(batch);
  for (size_t i = 0; i < batch; i++) pending[i] = i;
  std::vector<int64_t> idx(batch);
  std::vector<char> flip(batch);
  std::vector<std::string> err(batch), code(batch);
  while (!pending.empty()) {
    for (size_t s : pending) {
      do idx[s] = stream.Next(); while (bad.count(idx[s]));
      flip[s] = u(rng) < flip_prob;
      err[s].clear();
    }
    std::atomic<size_t> next{0};
    auto work = [&]() {
      for (size_t k; (k = next.fetch_add(1)) < pending.size();) {
        const size_t s = pending[k];
        try {
          Sample smp = LoadTrainSample(train[idx[s]], size, max_labels, flip[s] != 0);
          std::copy(smp.image.begin(), smp.image.end(), imgs.begin() + s * img_floats);
          std::copy(smp.labels.begin(), smp.labels.end(), labels.begin() + s * lab_floats);
        } catch (const NativeError& e) {
          err[s] = e.what();
          code[s] = e.code();
        } catch (const std::exception& e) {
          err[s] = e.what();
          code[s] = "ERR_IMAGE_UNREADABLE";
        }
      }
    };
    std::vector<std::thread> pool;
    for (int w = 1; w < workers && w < static_cast<int>(pending.size()); w++) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    std::vector<size_t> again;
    for (size_t s : pending) {
      if (err[s].empty()) continue;
      again.push_back(s);
      if (bad.insert(idx[s]).second) {
        JsonLine("skipped").Str("path", train[idx[s]].path).Str("code", code[s]).Str("message", err[s]).Emit();
      }
      if (bad.size() == train.size()) throw NativeError("ERR_NO_IMAGES", "none of the training images is readable");
    }
    pending.swap(again);
  }
}

int RunTrainYolox(const std::vector<std::string>& argv) {
  Args a(argv,
         {"train-list", "val-list", "out", "state", "layout", "resume-state", "resume-layout", "resume-momentum",
          "start-epoch", "batch", "max-epoch", "warmup-epochs", "no-aug-epochs", "basic-lr-per-img", "warmup-lr",
          "min-lr-ratio", "weight-decay", "momentum", "flip-prob", "input-size", "max-labels", "seed", "threads",
          "device", "ema-decay", "print-interval", "eval-batch", "depth", "width", "num-classes", "workers"},
         {"no-depthwise"});
  ConfigureThreads(a.Int("threads", 0));
  YoloxConfig cfg;
  cfg.depth = a.Double("depth", cfg.depth);
  cfg.width = a.Double("width", cfg.width);
  cfg.depthwise = !a.Has("no-depthwise");
  cfg.num_classes = a.Int("num-classes", cfg.num_classes);
  const std::string out = a.Str("out");
  MakeDirs(out);
  const int64_t batch = a.Int("batch", 64), size = a.Int("input-size", 416), max_labels = a.Int("max-labels", 120);
  if (batch < 1 || size < 32 || size % 32 || max_labels < 1) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--batch >= 1, --input-size a multiple of 32, --max-labels >= 1");
  }
  std::vector<ImageRecord> train = ReadManifest(a.Str("train-list"));
  std::vector<ImageRecord> val = a.Has("val-list") ? ReadManifest(a.Str("val-list")) : std::vector<ImageRecord>{};
  if (train.empty()) throw NativeError("ERR_NO_IMAGES", a.Str("train-list") + ": no training images");
  const int64_t n = static_cast<int64_t>(train.size());

  WarmCosSchedule sched;
  sched.lr = a.Double("basic-lr-per-img", 1e-3 / 64.0) * static_cast<double>(batch);
  sched.warmup_lr = a.Double("warmup-lr", 1e-5);
  sched.min_lr_ratio = a.Double("min-lr-ratio", 0.05);
  sched.iters_per_epoch = (n + batch - 1) / batch;
  sched.max_epoch = a.Int("max-epoch", 400);
  sched.warmup_epochs = a.Int("warmup-epochs", 50);
  sched.no_aug_epochs = a.Int("no-aug-epochs", 5);
  const int64_t start_epoch = a.Int("start-epoch", 0);
  if (sched.max_epoch < 1 || start_epoch < 0 || start_epoch >= sched.max_epoch) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--start-epoch must be in [0, max_epoch)");
  }
  const torch::Device device = PickDevice(a.Str("device", "auto"));

  YoloxModel model(cfg);
  model->InitializeBiases(1e-2);
  if (a.Has("resume-state")) {
    LoadFloatState(model, a.Str("resume-state"), a.Str("resume-layout"), /*strict=*/true);
  } else if (a.Has("state")) {
    LoadReport rep = LoadFloatState(model, a.Str("state"), a.Str("layout"), /*strict=*/false);
    JsonLine("init").Int("loaded_missing", static_cast<int64_t>(rep.missing.size()))
        .Int("skipped", static_cast<int64_t>(rep.skipped.size()))
        .Str("first_skipped", rep.skipped.empty() ? "" : rep.skipped.front()).Emit();
  }
  model->to(device);
  YoloxOptimizer opt(model, sched.warmup_epochs > 0 ? sched.warmup_lr : sched.lr, a.Double("momentum", 0.9),
                     a.Double("weight-decay", 5e-4));
  const int64_t ipe = sched.iters_per_epoch;
  if (start_epoch > 0) opt.SetLr(sched.Lr(start_epoch * ipe));
  if (a.Has("resume-momentum")) ReadMomentum(opt, a.Str("resume-momentum"));
  ModelEma ema(cfg, model, a.Double("ema-decay", 0.9998), ipe * start_epoch);

  const uint64_t seed = static_cast<uint64_t>(a.Int("seed", 42));
  IndexStream stream(n, seed);
  std::mt19937_64 rng(seed);
  const double flip_prob = a.Double("flip-prob", 0.5);
  const int64_t print_interval = std::max<int64_t>(1, a.Int("print-interval", 10));
  const int64_t eval_batch = std::max<int64_t>(1, a.Int("eval-batch", 8));
  std::set<int64_t> bad;
  const int workers = static_cast<int>(std::max<int64_t>(1, a.Int("workers", 4)));  // data_num_workers 4
  JsonLine("start").Int("images", n).Int("val_images", static_cast<int64_t>(val.size())).Int("iters_per_epoch", ipe)
      .Int("start_epoch", start_epoch).Int("max_epoch", sched.max_epoch).Str("device", device.str()).Emit();

  for (int64_t epoch = start_epoch; epoch < sched.max_epoch; epoch++) {
    const bool use_l1 = epoch >= sched.max_epoch - sched.no_aug_epochs - 1;
    for (int64_t it = 0; it < ipe; it++) {
      std::vector<float> imgs(static_cast<size_t>(batch) * 3 * size * size), labels(static_cast<size_t>(batch) * max_labels * 5);
      LoadBatch(train, stream, rng, flip_prob, bad, static_cast<int>(size), static_cast<int>(max_labels), workers, imgs, labels);
      Tensor x = torch::from_blob(imgs.data(), {batch, 3, size, size}, torch::kFloat32).to(device);
      Tensor y = torch::from_blob(labels.data(), {batch, max_labels, 5}, torch::kFloat32).to(device);
      model->train();
      HeadOutputs h = model->ForwardLevels(x);
      LossResult r = YoloxLoss(h.levels, YoloxModelImpl::Strides(), y, cfg.num_classes, use_l1, false);
      opt.ZeroGrad();
      r.total.backward();
      opt.Step();
      ema.Update(model);
      const int64_t progress = epoch * ipe + it;
      const double lr_used = opt.lr;
      opt.SetLr(sched.Lr(progress + 1));
      if ((it + 1) % print_interval == 0 || it + 1 == ipe) {
        JsonLine("progress").Int("epoch", epoch + 1).Int("iter", it + 1).Int("iters_per_epoch", ipe)
            .Num("total_loss", r.total.item<double>()).Num("iou_loss", r.iou.item<double>())
            .Num("conf_loss", r.obj.item<double>()).Num("cls_loss", r.cls.item<double>())
            .Num("l1_loss", r.l1.item<double>()).Num("num_fg", r.num_fg_per_gt).Num("lr", lr_used).Emit();
      }
    }
    // after_epoch: EMA state + optimizer buffers + EMA outputs on the validation images.
    const std::string dir = out + "/epoch_" + std::to_string(epoch + 1);
    MakeDirs(dir);
    SaveFloatState(ema.model(), dir + "/ema_state.bin", dir + "/ema_layout.txt");
    WriteMomentum(opt, dir + "/momentum.bin", dir + "/momentum_layout.txt");
    int64_t val_ok = 0;
    if (!val.empty()) {
      torch::NoGradGuard ng;
      ema.model()->eval();
      std::vector<float> outputs;
      std::string index;
      std::vector<float> buf;
      std::vector<int64_t> ids;
      auto flush = [&]() {
        if (ids.empty()) return;
        const int64_t b = static_cast<int64_t>(ids.size());
        Tensor xb = torch::from_blob(buf.data(), {b, 3, size, size}, torch::kFloat32).to(device);
        Tensor o = ema.model()->ForwardRaw(xb).to(torch::kCPU).contiguous();
        outputs.insert(outputs.end(), o.data_ptr<float>(), o.data_ptr<float>() + o.numel());
        for (int64_t i : ids) index += std::to_string(i) + "\n";
        val_ok += b;
        buf.clear();
        ids.clear();
      };
      for (size_t i = 0; i < val.size(); i++) {
        try {
          Sample s = LoadValSample(val[i], static_cast<int>(size));
          buf.insert(buf.end(), s.image.begin(), s.image.end());
          ids.push_back(static_cast<int64_t>(i));
        } catch (const NativeError& e) {
          if (epoch == start_epoch) JsonLine("skipped").Str("path", val[i].path).Str("code", e.code()).Str("message", e.what()).Emit();
        }
        if (static_cast<int64_t>(ids.size()) == eval_batch) flush();
      }
      flush();
      WriteFloat32FileAtomic(dir + "/val_outputs.bin", outputs.data(), outputs.size());
      WriteTextFileAtomic(dir + "/val_index.txt", index);
    }
    JsonLine("epoch").Int("epoch", epoch + 1).Str("dir", dir).Int("val_images", val_ok).Bool("use_l1", use_l1)
        .Num("lr", opt.lr).Int("ema_updates", ema.updates()).Emit();
  }
  JsonLine("done").Int("epochs", sched.max_epoch).Emit();
  return 0;
}

}  // namespace

RSNA_TRAIN_SUBCOMMAND("train-yolox", RunTrainYolox, "YOLOX training loop (driven by rsna-mammo train yolox)");

}  // namespace yolox
}  // namespace train
}  // namespace rsna
