// Optimizer, EMA and flat-state I/O of the YOLOX trainer (yolox_base.get_optimizer,
// yolox.utils.ModelEMA, ALGORITHMS.md §10.4). Declarations only; the code is in train_state.cc.
#pragma once
#include <torch/torch.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "train/common/optim.h"
#include "train/yolox/model.h"

namespace rsna {
namespace train {
namespace yolox {

// SGD(nesterov, momentum) with the three groups of exp.get_optimizer, in the original order
// (BN weights, decayed weights, biases): the order of the optimizer state_dict's param indices.
struct YoloxOptimizer {
  ParamGroups groups;
  std::unique_ptr<NesterovSgd> sgd;
  double lr;
  double weight_decay;
  YoloxOptimizer(YoloxModel& model, double lr, double momentum, double weight_decay);
  void SetLr(double v) { lr = v; }
  void ZeroGrad() { sgd->ZeroGrad(); }
  void Step() { sgd->Step(lr); }
  // Parameters in optimizer index order (group 0, then 1, then 2) with their names.
  std::vector<std::pair<std::string, torch::Tensor>> Ordered() const;
  // Momentum buffers in Ordered() order; undefined where no step has run yet.
  std::vector<torch::Tensor> MomentumBuffers() const;
  // Installs momentum buffers (e.g. from a resumed checkpoint), Ordered() order.
  void SetMomentumBuffers(const std::vector<torch::Tensor>& bufs);
};

// ModelEMA: decay(u) = d·(1 − exp(−u/2000)); every floating state entry v ← v·d + (1 − d)·model.
class ModelEma {
 public:
  ModelEma(const YoloxConfig& cfg, YoloxModel& model, double decay = 0.9998, int64_t updates = 0);
  void Update(YoloxModel& model);
  YoloxModel& model() { return ema_; }
  int64_t updates() const { return updates_; }

 private:
  YoloxModel ema_;
  double decay_;
  int64_t updates_;
};

// Copies every floating state entry of `src` into `dst` (same architecture).
void CopyFloatState(YoloxModel& src, YoloxModel& dst);

// Layout files: one line per tensor, "key<TAB>d0,d1,...", in the flat file's order.
std::string LayoutText(const std::vector<std::pair<std::string, torch::Tensor>>& entries);
// Writes FloatStateEntries(model) as float32 LE (+ `layout_path` when not empty).
void SaveFloatState(YoloxModel& model, const std::string& path, const std::string& layout_path = "");
struct LoadReport {
  std::vector<std::string> missing;  // model entries absent from the file (they keep their values)
  std::vector<std::string> skipped;  // file entries unknown to the model or of another shape
};
// Loads a flat float32 file described by a layout file into the model's entries of the same names.
// strict: every layout key must exist with the same shape and every model entry must be present
// (ERR_ARCH_MISMATCH names the first offenders). Otherwise mismatches are skipped and reported, as
// YOLOX's load_ckpt does when starting from the COCO checkpoint (80-class head).
LoadReport LoadFloatState(YoloxModel& model, const std::string& path, const std::string& layout_path, bool strict);

// Sets the default torch thread count (0 = leave libtorch's default).
void ConfigureThreads(int64_t threads);

}  // namespace yolox
}  // namespace train
}  // namespace rsna
