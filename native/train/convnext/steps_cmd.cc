// `rsna-mammo-train steps-classifier`: K training steps of the ConvNeXt classifier on one fixed batch,
// in the original loop order (forward, loss, zero_grad, backward, SGD step, EMA update), dumping the
// values the training goldens record: losses/logits per step, gradients of step 1, parameters after
// every step, momentum buffers and EMAs (flat float32, named_parameters order). Driven by
// `rsna-mammo train steps classifier` (lib/train/steps.ts), which also writes the checkpoint.
#include <torch/torch.h>
#include "addon/errors.h"
#include "train/cli/subcommand.h"
#include "train/common/args.h"
#include "train/common/cpu_malloc.h"
#include "train/common/distributed.h"
#include "train/common/flat_io.h"
#include "train/common/json_lines.h"
#include "train/common/optim.h"
#include "train/common/torch_utils.h"
#include "train/convnext/config_args.h"
#include "train/convnext/model.h"
#include "train/convnext/recipe.h"

namespace rsna {
namespace train {
namespace {

std::vector<torch::Tensor> Values(const torch::OrderedDict<std::string, torch::Tensor>& named) {
  std::vector<torch::Tensor> out;
  for (const auto& item : named) out.push_back(item.value());
  return out;
}

// The bench harness's gate (tools/bench/harness/lockstep.ts): one line on stdout, then wait for one on stdin.
void WaitAtGate() {
  std::fwrite("{\"gate\":true}\n", 1, 14, stdout);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) throw NativeError("ERR_INVALID_ARGUMENT", "--gates: stdin closed at a gate");
}

int RunStepsClassifier(const std::vector<std::string>& argv) {
  Args args(argv, {"depths", "dims", "in-chans", "num-classes", "init-params", "init-layout", "input", "shape", "targets",
                   "smoothing", "lr", "steps", "weight-decay", "momentum", "ema-decay", "drop", "drop-path", "seed",
                   "masks", "threads", "out", "dumps"}, {"dist", "gates"});
  if (args.Has("threads")) at::set_num_threads(static_cast<int>(args.Int("threads")));
  KeepFreedMemoryForReuse();  // CPU only (this subcommand trains on the CPU)
  const ConvNeXtConfig cfg = ConvNeXtConfigFromArgs(args, 0.0, 0.0);
  if (cfg.num_classes != 1) throw NativeError("ERR_INVALID_ARGUMENT", "the classifier recipe has 1 class (--num-classes 1)");
  const std::string out = args.Str("out");
  const int64_t steps = args.Int("steps");
  if (steps < 1 || steps > 100000) throw NativeError("ERR_INVALID_ARGUMENT", "--steps must be in [1, 100000]");
  const double lr = args.Double("lr");
  const double smoothing = args.Double("smoothing", 0.0);
  const std::string dumps = args.Str("dumps", "all");
  if (dumps != "all" && dumps != "none") throw NativeError("ERR_INVALID_ARGUMENT", "--dumps must be all or none");
  const bool dump_all = dumps == "all";
  const bool gates = args.Has("gates");
  std::vector<double> decays = args.Has("ema-decay") ? args.DoubleList("ema-decay") : std::vector<double>{0.9998};

  ConvNeXt model(cfg);
  auto named = model->named_parameters();
  if (args.Has("init-params")) {
    LoadNamedF32(args.Str("init-params"), args.Str("init-layout"), named);
  } else {
    if (args.Has("seed")) SeedTorch(static_cast<uint64_t>(args.Int("seed")));
    model->InitWeights();
  }
  if (args.Has("masks")) model->masks().Inject(ReadFloat32File(args.Str("masks")));

  std::vector<int64_t> shape = args.IntList("shape");
  if (shape.size() != 4 || shape[1] != cfg.in_chans || shape[0] < 1 || shape[2] < 32 || shape[3] < 32) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--shape must be N," + std::to_string(cfg.in_chans) + ",H,W with H, W >= 32");
  }
  const std::string input_path = args.Str("input");
  std::vector<uint8_t> pixels = ReadBytes(input_path, static_cast<int64_t>(CheckedBytes(shape[0] * shape[1], shape[2], shape[3])));
  std::vector<double> target_values = args.DoubleList("targets");
  if (static_cast<int64_t>(target_values.size()) != shape[0]) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--targets needs " + std::to_string(shape[0]) + " values");
  }
  torch::Tensor u8 = torch::from_blob(pixels.data(), shape, torch::kUInt8).clone();
  torch::Tensor x = NormalizeImagenet(u8);
  torch::Tensor targets = torch::tensor(target_values, torch::kFloat64).to(torch::kFloat32);
  // --dist: this process is one rank (torchrun env); it trains on its shard of the batch (distributed.h).
  std::unique_ptr<DataParallel> dp;
  const int64_t n_global = shape[0];
  if (args.Has("dist")) {
    dp = std::make_unique<DataParallel>(ReadDistEnv(), torch::Device(torch::kCPU));
    dp->Broadcast(Values(named));
    auto r = dp->Shard(n_global);
    x = x.slice(0, r.first, r.second);
    targets = targets.slice(0, r.first, r.second);
  }
  const bool writes = !dp || dp->IsMain();
  const bool dump = writes && dump_all;

  auto groups = TimmWeightDecayGroups(named, args.Double("weight-decay", 2e-5));
  NesterovSgd sgd(groups, args.Double("momentum", 0.9));
  std::vector<torch::Tensor> params = Values(named);
  std::vector<ModelEma> emas;
  for (double d : decays) emas.emplace_back(params, d);

  if (writes) MakeDirs(out);
  if (dump) {
    WriteTextFileAtomic(out + "/param_layout.txt", NamedLayoutText(named));
    WriteTextFileAtomic(out + "/optimizer_groups.json", OptimizerGroupsJson(groups));
  }
  model->train();
  if (args.Has("seed") && args.Has("init-params")) SeedTorch(static_cast<uint64_t>(args.Int("seed")));
  std::vector<double> losses;
  std::string logits_json = "[";
  for (int64_t step = 1; step <= steps; ++step) {
    if (gates) WaitAtGate();
    const auto t0 = std::chrono::steady_clock::now();
    torch::Tensor logits = model->forward(x);
    torch::Tensor loss = PosSmoothBceLoss(logits, targets, smoothing);
    sgd.ZeroGrad();
    loss.backward();
    if (dp) {
      dp->AllReduceGrads(params, x.size(0), n_global);
      logits = dp->GatherRows(logits, n_global);
      loss = torch::tensor(dp->SumAcrossRanks(loss.item<double>() * x.size(0) / n_global));
    }
    if (step == 1 && dump) {
      std::vector<torch::Tensor> grads;
      for (auto& p : params) grads.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
      WriteTensorsF32(out + "/grads_step1.bin", grads);
    }
    sgd.Step(lr);
    for (auto& e : emas) e.Update(params);
    losses.push_back(loss.item<double>());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<float> lv = FlattenF32({logits});
    logits_json += std::string(step > 1 ? "," : "") + JsonNumberArray(std::vector<double>(lv.begin(), lv.end()));
    if (dump) WriteTensorsF32(out + "/params_after_step" + std::to_string(step) + ".bin", params);
    JsonLine("step").Int("step", step).Num("loss", losses.back()).Num("seconds", seconds).Emit();
  }
  if (!writes) return 0;
  if (dump) {
    WriteTensorsF32(out + "/momentum.bin", sgd.BuffersInOrder(named));
    for (size_t i = 0; i < emas.size(); ++i) {
      WriteTensorsF32(out + "/ema_" + std::to_string(i) + ".bin", emas[i].tensors());
      if (i == 0) WriteTensorsF32(out + "/ema.bin", emas[i].tensors());
    }
  }
  std::string summary = "{\"losses\":" + JsonNumberArray(losses) + ",\"logits\":" + logits_json + "]" +
                        ",\"lr\":" + JsonNumber(lr) + ",\"ema_decays\":" + JsonNumberArray(decays) +
                        ",\"masks_consumed\":" + std::to_string(model->masks().consumed()) + "}";
  WriteTextFileAtomic(out + "/losses.json", summary + "\n");
  JsonLine("done").Raw("result", summary).Emit();
  return 0;
}

}  // namespace

RSNA_TRAIN_SUBCOMMAND("steps-classifier", RunStepsClassifier,
                      "K ConvNeXt training steps on one batch, dumping losses, grads, params, momentum, EMA");

}  // namespace train
}  // namespace rsna
