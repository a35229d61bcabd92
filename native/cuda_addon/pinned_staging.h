// Host-to-device upload through reusable page-locked staging (issue 14: the upload was the slowest
// GPU step because every image allocated, filled and freed its own pinned copy). A process-wide pool
// of fixed-size pinned chunks, allocated on first use and capped; an upload takes two chunks and
// alternates between them, so the host copy of chunk k+1 runs while the DMA of chunk k is in flight.
// The copies are queued on the caller's stream and the call returns without waiting for them: the
// source may be reused at once (it was copied into the chunks), and later work on the same stream
// sees the data. A chunk is reused only after an event says its last DMA finished.
#pragma once
#include <cuda_runtime.h>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace rsna {
namespace cuda {

struct StagingStats {
  size_t chunkBytes = 0;
  int chunks = 0;     // allocated so far
  int maxChunks = 0;  // the cap
};

class PinnedStaging {
 public:
  static PinnedStaging& Instance();

  // Queues host[0, bytes) → device[0, bytes) on `stream`; throws ERR_CUDA.
  void Upload(void* device, const void* host, size_t bytes, cudaStream_t stream);
  StagingStats Stats();

 private:
  struct Chunk {
    char* host = nullptr;
    cudaEvent_t done = nullptr;  // recorded after the chunk's last DMA
    bool pending = false;
  };
  PinnedStaging(size_t chunkBytes, int maxChunks) : chunkBytes_(chunkBytes), maxChunks_(maxChunks) {}
  // Two chunks at once (an upload never holds one while waiting for another: no deadlock).
  void AcquirePair(Chunk** a, Chunk** b);
  void ReleasePair(Chunk* a, Chunk* b);
  Chunk* Allocate();

  const size_t chunkBytes_;
  const int maxChunks_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<Chunk*> idle_;
  int created_ = 0;
};

}  // namespace cuda
}  // namespace rsna
