// `rsna-mammo-train info`: what this build can do (libtorch version, CUDA), for `rsna-mammo doctor`.
#include <torch/cuda.h>
#include <torch/version.h>
#include "train/cli/subcommand.h"
#include "train/common/json_lines.h"

namespace rsna {
namespace train {
namespace {

int RunInfo(const std::vector<std::string>& args) {
  std::string names = "[";
  for (const auto& [name, info] : SubcommandRegistry()) names += (names.size() > 1 ? "," : "") + JsonQuote(name);
  JsonLine("info")
      .Str("torch", TORCH_VERSION)
      .Bool("cuda", torch::cuda::is_available())
      .Int("cudaDevices", static_cast<int64_t>(torch::cuda::device_count()))
      .Raw("subcommands", names + "]")
      .Emit();
  return 0;
}

}  // namespace

RSNA_TRAIN_SUBCOMMAND("info", RunInfo, "libtorch version, CUDA availability and subcommands (JSON line)");

}  // namespace train
}  // namespace rsna
