// BatchLoader: worker threads + bounded look-ahead (see loader.h).
#include "train/data/loader.h"

#include <condition_variable>
#include <cstring>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include "addon/errors.h"
#include "train/data/aug_random.h"
#include "train/data/classifier_input.h"
#include "train/data/image_io.h"
#include "train/data/train_augment.h"

namespace rsna {
namespace train {
namespace data {

void PrepareSample(const std::string& png_path, const LoaderOptions& o, int epoch, int64_t position, float* dst) {
  cv::Mat img = ReadTrainingImage(png_path);
  if (o.train) {
    AugRandom rng(o.seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(position));
    img = ApplyAugPlan(img, SampleTrainAugment(rng, img.rows, img.cols));
  }
  NormalizeToChw(FitResizePad(img, o.out_h, o.out_w), dst);
}

namespace {

// One batch being prepared: workers fill images[slot]; `remaining` counts unfinished samples.
struct PendingBatch {
  torch::Tensor images, targets;
  std::vector<char> ok;
  std::vector<std::string> errors;
  size_t remaining = 0;
};

}  // namespace

struct BatchLoader::Impl {
  std::vector<SampleRef> samples;
  LoaderOptions o;
  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::vector<std::thread> workers;
  bool stop = false;
  std::exception_ptr fatal;  // a failure outside any sample (e.g. batch allocation): next() rethrows it
  // Current epoch (guarded by mu). Work items are (batch, slot) handed out in order.
  uint64_t generation = 0;
  int epoch = 0;
  std::vector<std::vector<int64_t>> batches;
  std::vector<int64_t> offsets;  // position in the epoch of each batch's first sample
  std::vector<std::vector<int64_t>> positions;  // explicit positions per sample (overrides offsets)
  size_t next_out = 0, item_batch = 0, item_slot = 0;
  std::map<size_t, std::shared_ptr<PendingBatch>> open;

  size_t Window() const { return static_cast<size_t>(std::max(1, o.prefetch)); }

  // Opens the batches that have no work left to hand out (empty ones), under mu.
  void SkipEmpty() {
    while (item_batch < batches.size() && batches[item_batch].empty()) {
      open[item_batch] = std::make_shared<PendingBatch>();
      ++item_batch;
      done_cv.notify_all();
    }
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      SkipEmpty();
      work_cv.wait(lock, [&] {
        SkipEmpty();
        return stop || (item_batch < batches.size() && item_batch < next_out + Window());
      });
      if (stop) return;
      const size_t b = item_batch, s = item_slot;
      const std::vector<int64_t>& idx = batches[b];
      std::shared_ptr<PendingBatch>& slot = open[b];
      if (!slot) {
        try {
          auto fresh = std::make_shared<PendingBatch>();
          const int64_t n = static_cast<int64_t>(idx.size());
          fresh->images = torch::empty({n, 3, o.out_h, o.out_w}, torch::kFloat32);
          fresh->targets = torch::empty({n}, torch::kFloat32);
          fresh->ok.assign(idx.size(), 0);
          fresh->errors.assign(idx.size(), std::string());
          fresh->remaining = idx.size();
          slot = fresh;
        } catch (...) {
          open.erase(b);
          fatal = std::current_exception();
          stop = true;
          done_cv.notify_all();
          return;
        }
      }
      std::shared_ptr<PendingBatch> pending = slot;
      if (++item_slot == idx.size()) {
        item_slot = 0;
        ++item_batch;
      }
      const uint64_t gen = generation;
      const int ep = epoch;
      const int64_t position = positions.empty() ? offsets[b] + static_cast<int64_t>(s) : positions[b][s];
      const SampleRef& ref = samples.at(static_cast<size_t>(idx[s]));
      lock.unlock();

      std::string error;
      float* dst = pending->images.data_ptr<float>() + static_cast<size_t>(s) * 3 * o.out_h * o.out_w;
      try {
        PrepareSample(ref.png_path, o, ep, position, dst);
        pending->targets.data_ptr<float>()[s] = ref.target;
      } catch (const std::exception& e) {  // NativeError, cv::Exception, bad_alloc: skip this sample
        error = e.what();
        if (error.rfind(ref.png_path, 0) != 0) error = ref.png_path + ": " + error;
      } catch (...) {
        error = ref.png_path + ": unknown error while preparing the image";
      }

      lock.lock();
      if (gen != generation) continue;  // the epoch was restarted meanwhile
      pending->ok[s] = error.empty();
      pending->errors[s] = error;
      if (--pending->remaining == 0) done_cv.notify_all();
    }
  }
};

BatchLoader::BatchLoader(std::vector<SampleRef> samples, LoaderOptions o) : impl_(new Impl) {
  if (o.out_h < 1 || o.out_w < 1) throw NativeError("ERR_INVALID_ARGUMENT", "loader: output size must be positive");
  impl_->samples = std::move(samples);
  impl_->o = o;
  const int threads = std::max(1, o.threads);
  for (int t = 0; t < threads; ++t) impl_->workers.emplace_back([this] { impl_->Work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->work_cv.notify_all();
  for (std::thread& t : impl_->workers) t.join();
}

void BatchLoader::start_epoch(const std::vector<std::vector<int64_t>>& batches, int epoch,
                              const std::vector<std::vector<int64_t>>& positions) {
  if (!positions.empty()) {
    bool same = positions.size() == batches.size();
    for (size_t b = 0; same && b < batches.size(); ++b) same = positions[b].size() == batches[b].size();
    if (!same) throw NativeError("ERR_INVALID_ARGUMENT", "loader: positions must have the shape of the batches");
  }
  for (const auto& b : batches) {
    for (int64_t i : b) {
      if (i < 0 || static_cast<size_t>(i) >= impl_->samples.size()) {
        throw NativeError("ERR_INVALID_ARGUMENT", "loader: sample index " + std::to_string(i) + " out of range (" +
                                                      std::to_string(impl_->samples.size()) + " samples)");
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    ++impl_->generation;
    impl_->epoch = epoch;
    impl_->batches = batches;
    impl_->positions = positions;
    impl_->offsets.assign(batches.size(), 0);
    for (size_t b = 1; b < batches.size(); ++b) {
      impl_->offsets[b] = impl_->offsets[b - 1] + static_cast<int64_t>(batches[b - 1].size());
    }
    impl_->next_out = impl_->item_batch = impl_->item_slot = 0;
    impl_->open.clear();
  }
  impl_->work_cv.notify_all();
}

std::optional<Batch> BatchLoader::next() {
  Impl& m = *impl_;
  std::shared_ptr<PendingBatch> done;
  std::vector<int64_t> idx;
  {
    std::unique_lock<std::mutex> lock(m.mu);
    if (m.next_out >= m.batches.size()) return std::nullopt;
    m.done_cv.wait(lock, [&] {
      auto it = m.open.find(m.next_out);
      return m.fatal || (it != m.open.end() && it->second->remaining == 0);
    });
    if (m.fatal) std::rethrow_exception(m.fatal);
    done = m.open[m.next_out];
    idx = m.batches[m.next_out];
    m.open.erase(m.next_out);
    ++m.next_out;
  }
  m.work_cv.notify_all();

  Batch batch;
  std::vector<int64_t> keep;
  for (size_t s = 0; s < idx.size(); ++s) {
    if (done->ok[s]) {
      keep.push_back(static_cast<int64_t>(s));
      batch.rows.push_back(m.samples[static_cast<size_t>(idx[s])].row);
    } else {
      std::cerr << "rsna-mammo-train: skipped " << done->errors[s] << std::endl;
      batch.skipped.push_back(done->errors[s]);
    }
  }
  if (idx.empty()) {
    batch.images = torch::empty({0, 3, m.o.out_h, m.o.out_w}, torch::kFloat32);
    batch.targets = torch::empty({0}, torch::kFloat32);
  } else if (keep.size() == idx.size()) {
    batch.images = done->images;
    batch.targets = done->targets;
  } else {
    torch::Tensor sel = torch::tensor(keep, torch::kInt64);
    batch.images = done->images.index_select(0, sel);
    batch.targets = done->targets.index_select(0, sel);
  }
  return batch;
}

}  // namespace data
}  // namespace train
}  // namespace rsna
