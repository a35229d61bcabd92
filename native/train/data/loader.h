// The trainer's data path (docs/ALGORITHMS.md §3.2, §9.4, §9.6): stage-2 PNGs → (train) TrainAugment
// → fit-resize + pad → normalised [B,3,H,W] float32 batches, prepared by worker threads ahead of the
// epoch loop. Each sample's augmentation stream is AugRandom(seed, epoch, position in the epoch), so
// batches are identical for any thread count or timing (and an oversampled positive that appears
// twice in an epoch gets two different augmentations, as in the original's DataLoader).
// An unreadable image is logged on stderr (file + reason), listed in Batch::skipped and left out of
// its batch; it never ends the epoch.
#pragma once
#include <torch/torch.h>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rsna {
namespace train {
namespace data {

struct SampleRef {
  std::string png_path;
  float target;
  int64_t row;
};

struct LoaderOptions {
  int out_h = 2048, out_w = 1024;
  bool train = true;
  uint64_t seed = 42;
  int threads = 4;
  int prefetch = 2;  // batches prepared ahead of the one being consumed
};

struct Batch {
  torch::Tensor images;   // [B,3,H,W] float32, normalised as ALGORITHMS.md §3.4
  torch::Tensor targets;  // [B] float32
  std::vector<int64_t> rows;
  std::vector<std::string> skipped;  // "<png path>: <reason>" for each sample left out
};

// One sample into dst ([3, out_h, out_w] float32): read, augment when o.train (stream of
// (o.seed, epoch, position)), fit-resize + pad, normalise. Throws NativeError on an unreadable image.
// BatchLoader runs exactly this per sample; it is public for the serial reference path.
void PrepareSample(const std::string& png_path, const LoaderOptions& o, int epoch, int64_t position, float* dst);

class BatchLoader {
 public:
  BatchLoader(std::vector<SampleRef> samples, LoaderOptions o);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // `batches` holds indices into the samples; abandons any epoch in progress. `positions` (same shape
  // as `batches`, optional) gives each sample's position in the epoch's full list, the key of its
  // augmentation stream: a data-parallel rank loads only its shard of every batch, yet each sample
  // gets the augmentation it gets in a single-process run. Default: consecutive positions.
  void start_epoch(const std::vector<std::vector<int64_t>>& batches, int epoch,
                   const std::vector<std::vector<int64_t>>& positions = {});
  // The next batch in order, or nullopt at the end of the epoch.
  std::optional<Batch> next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace data
}  // namespace train
}  // namespace rsna
