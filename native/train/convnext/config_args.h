// The ConvNeXt shape flags shared by the `steps-classifier` and `train-classifier` subcommands.
#pragma once
#include "train/common/args.h"
#include "train/convnext/model.h"

namespace rsna {
namespace train {

// Dropout defaults differ by caller: the step check is deterministic (0, 0), training uses the
// recipe's head dropout and drop-path (ALGORITHMS.md §9.2).
inline ConvNeXtConfig ConvNeXtConfigFromArgs(const Args& args, double default_drop, double default_drop_path) {
  ConvNeXtConfig cfg;
  cfg.depths = args.IntList("depths");
  cfg.dims = args.IntList("dims");
  cfg.in_chans = args.Int("in-chans", 3);
  cfg.num_classes = args.Int("num-classes", 1);
  cfg.drop_rate = args.Double("drop", default_drop);
  cfg.drop_path_rate = args.Double("drop-path", default_drop_path);
  return cfg;
}

}  // namespace train
}  // namespace rsna
