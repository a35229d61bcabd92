// PinnedStaging (pinned_staging.h): 8 MiB chunks, at most 8 (64 MiB of page-locked memory, so two
// uploads in flight never wait for each other and the process pins a bounded amount). The host copy
// into a chunk is the upload's limit once the DMA overlaps it (one core's memcpy rate is a fraction of
// the pinned PCIe rate), so large chunks are copied by a few helper threads besides the caller.
#include "cuda_addon/pinned_staging.h"
#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>
#include "cuda_addon/cuda_common.h"

namespace rsna {
namespace cuda {

namespace {
constexpr size_t kChunkBytes = size_t(8) << 20;
constexpr int kMaxChunks = 8;
constexpr size_t kMinPart = size_t(1) << 20;  // smaller pieces are not worth a hand-off

// memcpy split across persistent helper threads and the caller: a quarter of the cores, at most 3
// helpers (none on a 2-core machine, where the libuv pool and decoding need them).
class CopyPool {
 public:
  static CopyPool& Instance() {
    static CopyPool* pool = new CopyPool(std::min(3u, std::thread::hardware_concurrency() / 4));  // never freed
    return *pool;
  }

  void Copy(char* dst, const char* src, size_t n) {
    const size_t parts = std::min<size_t>(helpers_ + 1, std::max<size_t>(1, n / kMinPart));
    if (parts <= 1) {
      std::memcpy(dst, src, n);
      return;
    }
    const size_t step = (n + parts - 1) / parts;
    Done done;
    done.left = parts - 1;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t p = 1; p < parts; ++p) {
        const size_t at = p * step;
        tasks_.push_back(Task{dst + at, src + at, std::min(step, n - at), &done});
      }
    }
    ready_.notify_all();
    std::memcpy(dst, src, step);
    std::unique_lock<std::mutex> lock(done.mutex);
    done.finished.wait(lock, [&] { return done.left == 0; });
  }

 private:
  struct Done {
    std::mutex mutex;
    std::condition_variable finished;
    size_t left = 0;
  };
  struct Task {
    char* dst;
    const char* src;
    size_t n;
    Done* done;
  };

  explicit CopyPool(unsigned helpers) : helpers_(helpers) {
    for (unsigned i = 0; i < helpers_; ++i) std::thread([this] { Work(); }).detach();
  }

  void Work() {
    for (;;) {
      Task task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !tasks_.empty(); });
        task = tasks_.front();
        tasks_.pop_front();
      }
      std::memcpy(task.dst, task.src, task.n);
      std::lock_guard<std::mutex> lock(task.done->mutex);
      if (--task.done->left == 0) task.done->finished.notify_one();
    }
  }

  const unsigned helpers_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
};
}  // namespace

PinnedStaging& PinnedStaging::Instance() {
  static PinnedStaging* pool = new PinnedStaging(kChunkBytes, kMaxChunks);  // never freed: outlives every upload
  return *pool;
}

PinnedStaging::Chunk* PinnedStaging::Allocate() {
  auto chunk = std::make_unique<Chunk>();
  RSNA_CUDA_CHECK(cudaHostAlloc(reinterpret_cast<void**>(&chunk->host), chunkBytes_, cudaHostAllocDefault));
  if (cudaEventCreateWithFlags(&chunk->done, cudaEventDisableTiming) != cudaSuccess) {
    cudaFreeHost(chunk->host);
    RSNA_CUDA_CHECK(cudaErrorMemoryAllocation);
  }
  return chunk.release();
}

void PinnedStaging::AcquirePair(Chunk** a, Chunk** b) {
  std::unique_lock<std::mutex> lock(mutex_);
  freed_.wait(lock, [this] { return idle_.size() + static_cast<size_t>(maxChunks_ - created_) >= 2; });
  Chunk* got[2] = {nullptr, nullptr};
  int missing = 0;
  for (Chunk*& c : got) {
    if (!idle_.empty()) {
      c = idle_.back();
      idle_.pop_back();
    } else {
      ++missing;
    }
  }
  created_ += missing;  // reserved before allocating outside the lock
  lock.unlock();
  try {
    for (Chunk*& c : got) if (!c) c = Allocate();
  } catch (...) {
    std::lock_guard<std::mutex> relock(mutex_);
    for (Chunk* c : got) {
      if (c) idle_.push_back(c);
      else --created_;
    }
    freed_.notify_all();
    throw;
  }
  *a = got[0];
  *b = got[1];
}

void PinnedStaging::ReleasePair(Chunk* a, Chunk* b) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(a);
  idle_.push_back(b);
  freed_.notify_all();
}

void PinnedStaging::Upload(void* device, const void* host, size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return;
  Chunk* pair[2];
  AcquirePair(&pair[0], &pair[1]);
  try {
    const char* src = static_cast<const char*>(host);
    char* dst = static_cast<char*>(device);
    for (size_t offset = 0, k = 0; offset < bytes; offset += chunkBytes_, ++k) {
      Chunk* c = pair[k % 2];
      const size_t n = std::min(chunkBytes_, bytes - offset);
      if (c->pending) RSNA_CUDA_CHECK(cudaEventSynchronize(c->done));  // its previous DMA has read it
      CopyPool::Instance().Copy(c->host, src + offset, n);
      RSNA_CUDA_CHECK(cudaMemcpyAsync(dst + offset, c->host, n, cudaMemcpyHostToDevice, stream));
      RSNA_CUDA_CHECK(cudaEventRecord(c->done, stream));
      c->pending = true;
    }
  } catch (...) {
    cudaStreamSynchronize(stream);  // no DMA may still read a chunk handed back after a failure
    ReleasePair(pair[0], pair[1]);
    throw;
  }
  ReleasePair(pair[0], pair[1]);  // the next user waits on each chunk's event before writing it
}

StagingStats PinnedStaging::Stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return StagingStats{chunkBytes_, created_, maxChunks_};
}

}  // namespace cuda
}  // namespace rsna
