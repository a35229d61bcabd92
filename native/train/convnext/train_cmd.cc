// `rsna-mammo-train train-classifier`: the ConvNeXt epoch loop (ALGORITHMS.md §9.2–§9.10), driven by
// `rsna-mammo train classifier` (lib/train/classifierTrain.ts), which prepares its inputs:
//   --train-list / --val-list   `png_path<TAB>target` per line (row = line index)
//   --epochs-file               one line per epoch: the sampler's indices (batches = consecutive chunks)
//   --lr-file                   one lr per line = per epoch (its length is the number of epochs)
// Per update: forward (fp16 autocast on CUDA), BCE with positive-only smoothing, zero_grad, backward
// (GradScaler semantics on CUDA), SGD Nesterov, EMA. At the end of every epoch, and mid-epoch for the
// dense epochs (§9.10.2), the EMA model is validated and a dump (params, EMA, momentum, predictions)
// is written to <work>/dumps/<label>/ for the driver to turn into pred CSVs and checkpoints. After
// each epoch the full training state goes atomically to <work>/resume.bin (--resume continues after
// the last finished epoch: weights, EMA, momentum, RNG and loss scale; the sampler position is the epoch).
// --dist: this process is one data-parallel rank (torchrun environment, common/distributed.h, ALGORITHMS.md
// §9.11): every global batch of the sampler's list is split across the ranks, gradients are all-reduced
// between backward and the optimizer step, validation is split and gathered, and only rank 0 writes.
#include <torch/torch.h>
#include <ATen/autocast_mode.h>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
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
#include "train/data/loader.h"

namespace rsna {
namespace train {
namespace {

using data::Batch;
using data::BatchLoader;
using data::LoaderOptions;
using data::SampleRef;

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw NativeError("ERR_FILE_NOT_FOUND", path + ": cannot open");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(f, line)) out.push_back(line);
  return out;
}

std::vector<SampleRef> ReadSamples(const std::string& path) {
  std::vector<SampleRef> out;
  auto lines = ReadLines(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t tab = lines[i].rfind('\t');
    if (tab == std::string::npos) throw NativeError("ERR_INVALID_ARGUMENT", path + ": line " + std::to_string(i + 1) + " has no <TAB>target");
    out.push_back(SampleRef{lines[i].substr(0, tab), std::stof(lines[i].substr(tab + 1)), static_cast<int64_t>(i)});
  }
  return out;
}

std::vector<int64_t> ParseInts(const std::string& s, const std::string& where) {
  std::vector<int64_t> out;
  size_t p = 0;
  while (p < s.size()) {
    size_t c = s.find(',', p);
    std::string item = s.substr(p, c == std::string::npos ? std::string::npos : c - p);
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0') throw NativeError("ERR_INVALID_ARGUMENT", where + ": \"" + item + "\" is not an integer");
    out.push_back(v);
    p = c == std::string::npos ? s.size() : c + 1;
  }
  return out;
}

std::vector<std::vector<int64_t>> Chunks(const std::vector<int64_t>& idx, size_t size, bool drop_last) {
  std::vector<std::vector<int64_t>> out;
  for (size_t i = 0; i < idx.size(); i += size) {
    if (drop_last && i + size > idx.size()) break;
    out.emplace_back(idx.begin() + i, idx.begin() + std::min(idx.size(), i + size));
  }
  return out;
}

// Python's str(round(x, 2)) for the dense labels ("9.5", "9.54").
std::string LabelOf(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(x * 100.0) / 100.0);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s += "0";
  return s;
}

// torch.cuda.amp.GradScaler defaults (init 2^16, growth x2 every 2000 clean steps, backoff 0.5).
struct ScalerState {
  double scale = 65536.0;
  int64_t growth_tracker = 0;
};

struct ResumeState {
  int64_t epoch_done = -1;
  std::vector<float> params, ema, momentum;
  bool momentum_defined = false;
  std::vector<uint8_t> rng;
  ScalerState scaler;
};

const char kMagic[8] = {'R', 'S', 'N', 'A', 'T', 'R', 'N', '1'};

template <typename T>
void Put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
T Get(const std::vector<uint8_t>& in, size_t& pos, const std::string& file) {
  if (pos + sizeof(T) > in.size()) throw NativeError("ERR_BAD_RESUME", file + ": truncated");
  T v;
  std::memcpy(&v, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return v;
}

void WriteResume(const std::string& file, const ResumeState& s) {
  std::string out(kMagic, 8);
  Put(out, s.epoch_done);
  Put(out, static_cast<int64_t>(s.params.size()));
  Put(out, static_cast<uint8_t>(s.momentum_defined));
  Put(out, s.scaler.scale);
  Put(out, s.scaler.growth_tracker);
  Put(out, static_cast<int64_t>(s.rng.size()));
  for (const auto* v : {&s.params, &s.ema, &s.momentum}) out.append(reinterpret_cast<const char*>(v->data()), v->size() * 4);
  out.append(reinterpret_cast<const char*>(s.rng.data()), s.rng.size());
  WriteBytesAtomic(file, out.data(), out.size());
}

ResumeState ReadResume(const std::string& file, size_t n_params) {
  std::vector<uint8_t> in = ReadBytes(file);
  if (in.size() < 8 || std::memcmp(in.data(), kMagic, 8) != 0) throw NativeError("ERR_BAD_RESUME", file + ": not a trainer resume file");
  size_t pos = 8;
  ResumeState s;
  s.epoch_done = Get<int64_t>(in, pos, file);
  int64_t n = Get<int64_t>(in, pos, file);
  if (n != static_cast<int64_t>(n_params)) throw NativeError("ERR_BAD_RESUME", file + ": saved for another model size");
  s.momentum_defined = Get<uint8_t>(in, pos, file) != 0;
  s.scaler.scale = Get<double>(in, pos, file);
  s.scaler.growth_tracker = Get<int64_t>(in, pos, file);
  int64_t rng = Get<int64_t>(in, pos, file);
  if (rng < 0 || pos + 3 * n * 4 + rng != in.size()) throw NativeError("ERR_BAD_RESUME", file + ": truncated");
  for (auto* v : {&s.params, &s.ema, &s.momentum}) {
    v->resize(n);
    std::memcpy(v->data(), in.data() + pos, n * 4);
    pos += n * 4;
  }
  s.rng.assign(in.begin() + pos, in.end());
  return s;
}

void CopyFlat(const std::vector<float>& flat, const std::vector<torch::Tensor>& dst) {
  torch::NoGradGuard no_grad;
  size_t off = 0;
  for (const auto& t : dst) {
    t.copy_(torch::from_blob(const_cast<float*>(flat.data()) + off, t.sizes(), torch::kFloat32));
    off += static_cast<size_t>(t.numel());
  }
}

struct Trainer {
  ConvNeXt model{nullptr}, ema_model{nullptr};
  torch::OrderedDict<std::string, torch::Tensor> named;
  std::vector<torch::Tensor> params, ema_params;
  std::unique_ptr<NesterovSgd> sgd;
  std::unique_ptr<ModelEma> ema;
  torch::Device device{torch::kCPU};
  bool amp = false;
  ScalerState scaler;
  double smoothing = 0.0;

  std::vector<torch::Tensor> MomentumByParam() { return sgd->BuffersInOrder(named); }

  void SetMomentum(const std::vector<float>& flat) {
    std::map<std::string, size_t> offset;
    size_t off = 0;
    for (const auto& item : named) {
      offset[item.key()] = off;
      off += static_cast<size_t>(item.value().numel());
    }
    size_t k = 0;
    for (const auto& g : sgd->groups()) {
      for (size_t i = 0; i < g.names.size(); ++i, ++k) {
        const torch::Tensor& p = g.params[i];
        sgd->buffers()[k] = torch::from_blob(const_cast<float*>(flat.data()) + offset[g.names[i]], p.sizes(), torch::kFloat32)
                                .to(p.device())
                                .clone();
      }
    }
  }

  torch::Tensor Forward(ConvNeXt& m, const torch::Tensor& x) {
    if (!amp) return m->forward(x);
    at::autocast::set_enabled(true);
    torch::Tensor y = m->forward(x);
    at::autocast::set_enabled(false);
    at::autocast::clear_cache();
    return y.to(torch::kFloat32);
  }

  // One update on this rank's rows of the global batch; returns the global batch's mean loss. When no
  // rank has a readable image nothing is updated (on every rank alike) and *updated is false.
  double Update(const Batch& b, double lr, DataParallel* dp, bool* updated) {
    const int64_t n_local = static_cast<int64_t>(b.rows.size());
    torch::Tensor loss;
    double local_loss = 0.0;
    if (n_local > 0) {
      torch::Tensor x = b.images.to(device, /*non_blocking=*/true);
      torch::Tensor t = b.targets.to(device);
      loss = PosSmoothBceLoss(Forward(model, x), t, smoothing);
      local_loss = loss.item<double>();
    }
    int64_t n_global = n_local;
    double mean_loss = local_loss;
    if (dp) {
      // Rows and loss sum of the whole global batch: every rank takes the same decision below.
      torch::Tensor sums = torch::tensor({static_cast<double>(n_local), local_loss * static_cast<double>(n_local)},
                                         torch::kFloat64).to(device);
      dp->SumInPlace(sums);
      sums = sums.to(torch::kCPU);
      n_global = static_cast<int64_t>(sums[0].item<double>());
      mean_loss = n_global > 0 ? sums[1].item<double>() / static_cast<double>(n_global) : NAN;
    }
    *updated = n_global > 0;
    if (!*updated) return NAN;
    sgd->ZeroGrad();
    if (n_local > 0) {
      (amp ? loss * scaler.scale : loss).backward();
    } else {
      // A rank whose shard was all unreadable still joins the all-reduce, with zero gradients.
      for (auto& p : params) if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    }
    if (dp) dp->AllReduceGrads(params, n_local, n_global);  // same (scaled) gradient on every rank
    if (!amp) {
      sgd->Step(lr);
    } else {
      // GradScaler.unscale_ + inf check, then step only when all gradients are finite.
      const double inv = static_cast<double>(static_cast<float>(1.0 / scaler.scale));
      bool found_inf = false;
      {
        torch::NoGradGuard no_grad;
        for (auto& p : params) {
          if (!p.grad().defined()) continue;
          p.mutable_grad().mul_(inv);
          if (!torch::isfinite(p.grad()).all().item<bool>()) found_inf = true;
        }
      }
      if (!found_inf) sgd->Step(lr);
      if (found_inf) {
        scaler.scale *= 0.5;
        scaler.growth_tracker = 0;
      } else if (++scaler.growth_tracker == 2000) {
        scaler.scale *= 2.0;
        scaler.growth_tracker = 0;
      }
    }
    ema->Update(params);
    return mean_loss;
  }

  // Validates the EMA model; (row, probability) pairs, NaN → 0 as the original's loop.
  // With dp, each rank predicts its contiguous share of the batches and rank 0 receives all of them
  // (in row order); *skipped is then the count over all ranks.
  std::vector<std::pair<int64_t, float>> Validate(BatchLoader& loader, const std::vector<std::vector<int64_t>>& all_batches,
                                                  int64_t n_rows, DataParallel* dp, int64_t* skipped) {
    std::vector<std::vector<int64_t>> batches = all_batches;
    if (dp) {
      auto r = ShardRange(static_cast<int64_t>(all_batches.size()), dp->rank(), dp->world_size());
      batches.assign(all_batches.begin() + r.first, all_batches.begin() + r.second);
    }
    CopyFlat(FlattenF32(ema->tensors()), ema_params);
    ema_model->eval();
    torch::NoGradGuard no_grad;
    loader.start_epoch(batches, 0);
    std::vector<std::pair<int64_t, float>> out;
    while (auto b = loader.next()) {
      for (const auto& s : b->skipped) JsonLine("skipped").Str("phase", "val").Str("reason", s).Emit();
      *skipped += static_cast<int64_t>(b->skipped.size());
      if (b->rows.empty()) continue;
      torch::Tensor p = torch::sigmoid(Forward(ema_model, b->images.to(device))).to(torch::kCPU).contiguous();
      p = torch::nan_to_num(p, 0.0, 1.0, 0.0);
      for (size_t i = 0; i < b->rows.size(); ++i) out.emplace_back(b->rows[i], p[static_cast<int64_t>(i)][0].item<float>());
    }
    if (!dp) return out;
    // Gather: row r holds (1, p) on the rank that predicted it and zeros elsewhere, so the sum is exact.
    torch::Tensor table = torch::zeros({2, n_rows}, torch::kFloat64);
    for (const auto& [row, p] : out) {
      table[0][row] = 1.0;
      table[1][row] = static_cast<double>(p);
    }
    table = table.to(device);
    dp->SumInPlace(table);
    table = table.to(torch::kCPU);
    *skipped = static_cast<int64_t>(dp->SumAcrossRanks(static_cast<double>(*skipped)));
    out.clear();
    torch::Tensor has_rows = table[0].contiguous(), probs = table[1].contiguous();
    auto has = has_rows.accessor<double, 1>();
    auto prob = probs.accessor<double, 1>();
    for (int64_t row = 0; row < n_rows; ++row) if (has[row] > 0.5) out.emplace_back(row, static_cast<float>(prob[row]));
    return out;
  }
};

// Every rank's CPU generator state, concatenated in rank order (only one in a single process): the
// drop-path/dropout streams continue on --resume as if never interrupted.
std::vector<uint8_t> GatherRngStates(DataParallel* dp, torch::Device device) {
  std::vector<uint8_t> mine = CpuRngState();
  if (!dp) return mine;
  const int64_t len = static_cast<int64_t>(mine.size());
  torch::Tensor all = torch::zeros({dp->world_size() * len}, torch::kInt32);
  auto a = all.accessor<int32_t, 1>();
  for (int64_t i = 0; i < len; ++i) a[dp->rank() * len + i] = mine[static_cast<size_t>(i)];
  all = all.to(device);
  dp->SumInPlace(all);  // one non-zero contribution per element: exact
  all = all.to(torch::kCPU);
  auto b = all.accessor<int32_t, 1>();
  std::vector<uint8_t> out(static_cast<size_t>(all.numel()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(b[static_cast<int64_t>(i)]);
  return out;
}

// --resume: rank 0 reads <work>/resume.bin and every rank takes its state (another machine cannot read
// rank 0's files): weights, EMA, momentum, loss scale, and the rank's own generator state. Returns the
// first epoch to train (0 without a resume file).
int64_t RestoreResume(Trainer& tr, const std::string& file, bool wanted, DataParallel* dp, uint64_t seed) {
  const size_t n_params = FlattenF32(tr.params).size();
  ResumeState s;
  const bool main = !dp || dp->IsMain();
  const bool found = main && wanted && PathExists(file);
  if (found) s = ReadResume(file, n_params);
  // Header: found, epoch_done, momentum_defined, scale, growth_tracker, rng bytes (exact in float64).
  torch::Tensor head = torch::tensor({found ? 1.0 : 0.0, static_cast<double>(s.epoch_done), s.momentum_defined ? 1.0 : 0.0,
                                      s.scaler.scale, static_cast<double>(s.scaler.growth_tracker), static_cast<double>(s.rng.size())},
                                     torch::kFloat64);
  if (dp) {
    head = head.to(tr.device);
    dp->Broadcast({head});
    head = head.to(torch::kCPU);
  }
  auto h = head.accessor<double, 1>();
  if (h[0] < 0.5) return 0;
  s.epoch_done = static_cast<int64_t>(h[1]);
  s.momentum_defined = h[2] > 0.5;
  s.scaler.scale = h[3];
  s.scaler.growth_tracker = static_cast<int64_t>(h[4]);
  if (!main) {
    s.params.assign(n_params, 0.0f);
    s.ema.assign(n_params, 0.0f);
    s.momentum.assign(n_params, 0.0f);
    s.rng.assign(static_cast<size_t>(h[5]), 0);
  }
  CopyFlat(s.params, tr.params);
  CopyFlat(s.ema, tr.ema->tensors());
  if (s.momentum_defined) tr.SetMomentum(s.momentum);
  tr.scaler = s.scaler;
  if (dp) {
    std::vector<torch::Tensor> state = tr.params;
    for (const auto& t : tr.ema->tensors()) state.push_back(t);
    if (s.momentum_defined) for (const auto& t : tr.sgd->buffers()) state.push_back(t);
    dp->Broadcast(state);
    torch::Tensor rng = torch::from_blob(s.rng.data(), {static_cast<int64_t>(s.rng.size())}, torch::kUInt8).to(torch::kInt32).to(tr.device);
    dp->Broadcast({rng});
    rng = rng.to(torch::kCPU).to(torch::kUInt8).contiguous();
    std::memcpy(s.rng.data(), rng.data_ptr<uint8_t>(), s.rng.size());
  }
  const size_t len = CpuRngState().size();
  const size_t rank = dp ? static_cast<size_t>(dp->rank()) : 0;
  if (s.rng.size() >= (rank + 1) * len) {
    SetCpuRngState(std::vector<uint8_t>(s.rng.begin() + rank * len, s.rng.begin() + (rank + 1) * len));
  } else {
    // Saved by fewer ranks than this run has: this rank's stream starts afresh (deterministically).
    SeedTorch(seed + rank + 1000003ull * static_cast<uint64_t>(s.epoch_done + 1));
    JsonLine("warning").Str("message", "resume file holds " + std::to_string(s.rng.size() / len) + " rank RNG states; rank " +
                                           std::to_string(rank) + " reseeded").Emit();
  }
  return s.epoch_done + 1;
}

int RunTrainClassifier(const std::vector<std::string>& argv) {
  Args args(argv, {"depths", "dims", "in-chans", "drop", "drop-path", "smoothing", "weight-decay", "momentum", "ema-decay",
                   "batch-size", "val-batch-size", "out-h", "out-w", "train-list", "val-list", "epochs-file", "lr-file",
                   "dense-epochs", "dense-bins", "device", "threads", "loader-threads", "seed", "init-params", "init-layout",
                   "work-dir", "max-iters", "log-every", "init-fresh"},
            {"resume", "amp", "dist"});
  if (args.Has("threads")) at::set_num_threads(static_cast<int>(args.Int("threads")));
  ConvNeXtConfig cfg = ConvNeXtConfigFromArgs(args, 0.5, 0.2);
  const uint64_t seed = static_cast<uint64_t>(args.Int("seed", 42));
  const std::string work = args.Str("work-dir");
  const std::string resume_file = work + "/resume.bin";
  const int64_t batch_size = args.Int("batch-size", 8);
  const int64_t val_batch = args.Int("val-batch-size", 16);
  if (batch_size < 1 || val_batch < 1) throw NativeError("ERR_INVALID_ARGUMENT", "batch sizes must be >= 1");
  const int64_t max_iters = args.Int("max-iters", 0);
  const int64_t log_every = std::max<int64_t>(1, args.Int("log-every", 50));
  const std::string dev = args.Str("device", "cpu");
  if (dev != "cpu" && dev != "cuda") throw NativeError("ERR_INVALID_ARGUMENT", "--device must be cpu or cuda");
  if (dev == "cuda" && !torch::cuda::is_available()) throw NativeError("ERR_NO_CUDA", "--device cuda: this libtorch sees no CUDA device");

  // --dist: join the group before anything else, so a rendezvous failure costs nothing.
  // Each rank on CUDA uses GPU LOCAL_RANK (modulo the visible devices), as torchrun scripts do.
  std::unique_ptr<DataParallel> dp;
  torch::Device device(torch::kCPU);
  if (dev == "cuda") device = torch::Device(torch::kCUDA, 0);
  if (args.Has("dist")) {
    const DistEnv env = ReadDistEnv();
    if (dev == "cuda") device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank % std::max<int64_t>(1, torch::cuda::device_count())));
    dp = std::make_unique<DataParallel>(env, device);
  }
  const int rank = dp ? dp->rank() : 0, world = dp ? dp->world_size() : 1;
  const bool writes = !dp || dp->IsMain();
  if (batch_size < world) {
    throw NativeError("ERR_INVALID_ARGUMENT", "--batch-size " + std::to_string(batch_size) + " is the global batch; it needs at least one row per rank (" +
                                                  std::to_string(world) + " ranks)");
  }

  Trainer tr;
  tr.device = device;
  tr.amp = dev == "cuda" && args.Has("amp");
  tr.smoothing = args.Double("smoothing", 0.1);
  if (dev == "cuda") at::globalContext().setBenchmarkCuDNN(true);  // §9.2: cudnn.benchmark on, TF32 allowed
  if (dev == "cpu") KeepFreedMemoryForReuse();  // activations live in malloc memory only on the CPU
  tr.model = ConvNeXt(cfg);
  tr.ema_model = ConvNeXt(cfg);
  tr.named = tr.model->named_parameters();
  // As the original's random_seed(seed, rank): each rank its own torch stream (drop-path, dropout);
  // rank 0's equals the single-process one. Weights are then rank 0's (broadcast below).
  SeedTorch(seed + static_cast<uint64_t>(rank));
  tr.model->InitWeights();  // timm's init; then the init weights, except the --init-fresh tensors
  if (args.Has("init-params")) {
    std::set<std::string> fresh;
    if (args.Has("init-fresh")) {
      const std::string list = args.Str("init-fresh");
      for (size_t p = 0; p < list.size();) {
        size_t c = list.find(',', p);
        fresh.insert(list.substr(p, c == std::string::npos ? std::string::npos : c - p));
        p = c == std::string::npos ? list.size() : c + 1;
      }
    }
    LoadNamedF32(args.Str("init-params"), args.Str("init-layout"), tr.named, fresh);
  }
  tr.model->to(tr.device);
  tr.ema_model->to(tr.device);
  tr.named = tr.model->named_parameters();
  for (const auto& item : tr.named) tr.params.push_back(item.value());
  for (const auto& item : tr.ema_model->named_parameters()) tr.ema_params.push_back(item.value());
  if (dp) dp->Broadcast(tr.params);
  tr.sgd = std::make_unique<NesterovSgd>(TimmWeightDecayGroups(tr.named, args.Double("weight-decay", 2e-5)),
                                         args.Double("momentum", 0.9));
  tr.ema = std::make_unique<ModelEma>(tr.params, args.Double("ema-decay", 0.9998));

  std::vector<SampleRef> train_samples = ReadSamples(args.Str("train-list"));
  std::vector<SampleRef> val_samples = ReadSamples(args.Str("val-list"));
  std::vector<double> lrs;
  for (const auto& l : ReadLines(args.Str("lr-file"))) if (!l.empty()) lrs.push_back(std::stod(l));
  std::vector<std::string> epoch_lines = ReadLines(args.Str("epochs-file"));
  const int64_t n_epochs = static_cast<int64_t>(lrs.size());
  if (static_cast<int64_t>(epoch_lines.size()) < n_epochs) {
    throw NativeError("ERR_INVALID_ARGUMENT", args.Str("epochs-file") + ": " + std::to_string(epoch_lines.size()) +
                                                  " sampler epochs for " + std::to_string(n_epochs) + " training epochs");
  }
  std::set<int64_t> dense;
  if (args.Has("dense-epochs")) for (int64_t e : args.IntList("dense-epochs")) dense.insert(e);
  const int64_t bins = args.Int("dense-bins", 2);
  std::vector<int64_t> val_idx(val_samples.size());
  for (size_t i = 0; i < val_idx.size(); ++i) val_idx[i] = static_cast<int64_t>(i);
  const auto val_batches = Chunks(val_idx, static_cast<size_t>(val_batch), false);

  const int64_t start = RestoreResume(tr, resume_file, args.Has("resume"), dp.get(), seed);
  if (start > 0 && writes) JsonLine("resumed").Int("epoch", start).Emit();

  LoaderOptions lo;
  lo.out_h = static_cast<int>(args.Int("out-h", 2048));
  lo.out_w = static_cast<int>(args.Int("out-w", 1024));
  lo.seed = seed;
  lo.threads = static_cast<int>(args.Int("loader-threads", 4));
  LoaderOptions vo = lo;
  vo.train = false;
  BatchLoader train_loader(train_samples, lo);
  BatchLoader val_loader(val_samples, vo);
  if (writes) MakeDirs(work + "/dumps");

  auto validate = [&](const std::string& label, double value, int64_t epoch, bool final, double lr, double train_loss,
                      int64_t train_skipped) {
    int64_t val_skipped = 0;
    auto preds = tr.Validate(val_loader, val_batches, static_cast<int64_t>(val_samples.size()), dp.get(), &val_skipped);
    if (dp) train_skipped = static_cast<int64_t>(dp->SumAcrossRanks(static_cast<double>(train_skipped)));
    if (!writes) return;
    const std::string dir = work + "/dumps/" + label;
    MakeDirs(dir);
    WriteTensorsF32(dir + "/params.bin", tr.params);
    WriteTensorsF32(dir + "/ema.bin", tr.ema->tensors());
    WriteTensorsF32(dir + "/momentum.bin", tr.MomentumByParam());
    std::string tsv;
    for (const auto& [row, p] : preds) tsv += std::to_string(row) + "\t" + JsonNumber(p) + "\n";
    WriteTextFileAtomic(dir + "/preds.tsv", tsv);
    WriteTextFileAtomic(dir + "/param_layout.txt", NamedLayoutText(tr.named));
    WriteTextFileAtomic(dir + "/optimizer_groups.json", OptimizerGroupsJson(tr.sgd->groups()));
    std::string meta = JsonLine("validated").Str("label", label).Num("value", value).Int("epoch", epoch).Bool("final", final)
                           .Num("lr", lr).Num("trainLoss", train_loss).Int("trainSkipped", train_skipped)
                           .Int("valSkipped", val_skipped).Int("valPredictions", static_cast<int64_t>(preds.size()))
                           .Str("dir", dir).Text();
    WriteTextFileAtomic(dir + "/meta.json", meta + "\n");  // last: marks the dump complete
    JsonLine("validated").Str("label", label).Str("dir", dir).Emit();
  };

  // This rank's slots of every global batch (all of them in one process), §9.11.
  const std::vector<int64_t> slots = InterleavedSlots(batch_size, rank, world);
  for (int64_t e = start; e < n_epochs; ++e) {
    const double lr = lrs[static_cast<size_t>(e)];
    auto batches = Chunks(ParseInts(epoch_lines[static_cast<size_t>(e)], args.Str("epochs-file") + " epoch " + std::to_string(e)),
                          static_cast<size_t>(batch_size), true);
    if (max_iters > 0 && static_cast<int64_t>(batches.size()) > max_iters) batches.resize(static_cast<size_t>(max_iters));
    const int64_t n = static_cast<int64_t>(batches.size());
    const int64_t interval = n / bins + 1;
    std::vector<std::vector<int64_t>> mine(batches.size()), positions(batches.size());
    for (size_t g = 0; g < batches.size(); ++g) {
      for (int64_t j : slots) {
        mine[g].push_back(batches[g][static_cast<size_t>(j)]);
        positions[g].push_back(static_cast<int64_t>(g) * batch_size + j);
      }
    }
    train_loader.start_epoch(mine, static_cast<int>(e), positions);
    tr.model->train();
    int64_t updates = 0, skipped = 0;
    double loss_sum = 0.0;
    while (auto b = train_loader.next()) {
      for (const auto& s : b->skipped) JsonLine("skipped").Str("phase", "train").Str("reason", s).Int("rank", rank).Emit();
      skipped += static_cast<int64_t>(b->skipped.size());
      bool updated = false;
      const double loss = tr.Update(*b, lr, dp.get(), &updated);
      if (!updated) continue;
      ++updates;
      loss_sum += loss;
      if (writes && (updates % log_every == 0 || updates == n)) {
        JsonLine("progress").Int("epoch", e).Int("iter", updates).Int("iters", n).Num("loss", loss).Num("lr", lr).Emit();
      }
      if (dense.count(e) && updates % interval == 0 && updates < n) {
        const double value = static_cast<double>(e) - 1.0 + static_cast<double>(updates) / static_cast<double>(n);
        validate(LabelOf(value), value, e, false, lr, loss_sum / updates, skipped);
      }
    }
    validate(std::to_string(e), static_cast<double>(e), e, true, lr, updates ? loss_sum / updates : NAN, skipped);
    ResumeState s;
    s.epoch_done = e;
    s.params = FlattenF32(tr.params);
    s.ema = FlattenF32(tr.ema->tensors());
    s.momentum = FlattenF32(tr.MomentumByParam());
    s.momentum_defined = !tr.sgd->buffers().empty();
    for (const auto& buf : tr.sgd->buffers()) s.momentum_defined = s.momentum_defined && buf.defined();
    s.rng = GatherRngStates(dp.get(), tr.device);
    s.scaler = tr.scaler;
    if (writes) {
      WriteResume(resume_file, s);
      JsonLine("epoch").Int("epoch", e).Int("updates", updates).Num("trainLoss", updates ? loss_sum / updates : NAN).Emit();
    }
  }
  if (writes) JsonLine("done").Int("epochs", n_epochs).Emit();
  return 0;
}
}  // namespace

RSNA_TRAIN_SUBCOMMAND("train-classifier", RunTrainClassifier, "the ConvNeXt epoch loop (driven by rsna-mammo train classifier)");

}  // namespace train
}  // namespace rsna
