// yolox.utils.LRScheduler("yoloxwarmcos") (ALGORITHMS.md §10.4), per iteration, in double with the
// original's operation order: quadratic warmup from warmup_lr, cosine to lr·min_lr_ratio, then a
// flat min-lr tail over the last no_aug epochs. Iteration 0 runs with the optimizer's initial lr
// (warmup_lr); iteration i ≥ 1 with Lr(i) (the trainer sets update_lr(progress + 1) after each step).
#pragma once
#include <cmath>
#include <cstdint>

namespace rsna {
namespace train {
namespace yolox {

struct WarmCosSchedule {
  double lr = 1e-3;            // basic_lr_per_img · batch
  double warmup_lr = 1e-5;
  double min_lr_ratio = 0.05;
  int64_t iters_per_epoch = 1;
  int64_t max_epoch = 400;
  int64_t warmup_epochs = 50;
  int64_t no_aug_epochs = 5;

  double Lr(int64_t iters) const {
    const double total = static_cast<double>(iters_per_epoch * max_epoch);
    const double warm = static_cast<double>(iters_per_epoch * warmup_epochs);
    const double no_aug = static_cast<double>(iters_per_epoch * no_aug_epochs);
    const double min_lr = lr * min_lr_ratio;
    const double it = static_cast<double>(iters);
    if (it <= warm) return (lr - warmup_lr) * std::pow(it / warm, 2) + warmup_lr;
    if (it >= total - no_aug) return min_lr;
    return min_lr + 0.5 * (lr - min_lr) * (1.0 + std::cos(M_PI * (it - warm) / (total - warm - no_aug)));
  }
  // The lr the optimizer holds while iteration `i` (0-based) runs.
  double LrDuring(int64_t i) const { return i == 0 ? (warmup_epochs > 0 ? warmup_lr : lr) : Lr(i); }
};

}  // namespace yolox
}  // namespace train
}  // namespace rsna
