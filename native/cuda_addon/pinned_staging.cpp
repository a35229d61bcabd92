// PinnedStaging (pinned_staging.h): 8 MiB chunks, at most 8 (64 MiB of page-locked memory, so two
// uploads in flight never wait for each other and the process pins a bounded amount).
#include "cuda_addon/pinned_staging.h"
#include <algorithm>
#include <cstring>
#include <memory>
#include "cuda_addon/cuda_common.h"

namespace rsna {
namespace cuda {

namespace {
constexpr size_t kChunkBytes = size_t(8) << 20;
constexpr int kMaxChunks = 8;
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
      std::memcpy(c->host, src + offset, n);
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
