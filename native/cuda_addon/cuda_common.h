// Shared CUDA helpers of the CUDA addon: error checks that throw NativeError (never abort),
// RAII device/pinned buffers, and a launch-size helper. Included only by CMake-built sources.
#pragma once
#include <cuda_runtime.h>
#include <cstddef>
#include <string>
#include <utility>
#include "addon/errors.h"

namespace rsna {
namespace cuda {

inline void Check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw NativeError("ERR_CUDA", std::string(what) + ": " + cudaGetErrorString(status));
  }
}

#define RSNA_CUDA_CHECK(expr) ::rsna::cuda::Check((expr), #expr)

// Whether this device supports stream-ordered allocation (memory pools); the default pool is set
// once to keep up to 1 GiB of freed memory, so per-image buffers are reused without a device sync.
bool StreamOrderedAllocation();

// Device memory owned by one object; size checked before allocation. By default cudaMalloc/cudaFree
// (cudaFree waits for the whole device); after StreamOrdered(alloc, free) it is cudaMallocAsync on
// `alloc` and cudaFreeAsync on `free`, which never blocks the calling thread or other streams (the
// owner makes sure every use is ordered before the free: same stream, or synchronized).
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count) { Resize(count); }
  ~DeviceBuffer() { Release(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept { *this = std::move(o); }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      Release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      count_ = std::exchange(o.count_, 0);
      ordered_ = o.ordered_;
      alloc_stream_ = o.alloc_stream_;
      free_stream_ = o.free_stream_;
    }
    return *this;
  }

  // Stream-ordered from now on (when the device supports it); call before the first Resize.
  void StreamOrdered(cudaStream_t alloc, cudaStream_t free) {
    ordered_ = StreamOrderedAllocation();
    alloc_stream_ = alloc;
    free_stream_ = free;
  }
  void Resize(size_t count) {
    if (count == count_) return;
    Release();
    if (count == 0) return;
    size_t bytes = CheckedBytes(count, sizeof(T));
    if (ordered_) {
      RSNA_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&ptr_), bytes, alloc_stream_));
    } else {
      RSNA_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ptr_), bytes));
    }
    count_ = count;
  }
  void Upload(const T* host, size_t count, cudaStream_t stream = nullptr) {
    Resize(count);
    if (count) RSNA_CUDA_CHECK(cudaMemcpyAsync(ptr_, host, count * sizeof(T), cudaMemcpyHostToDevice, stream));
  }
  void Download(T* host, size_t count, cudaStream_t stream = nullptr) const {
    if (count > count_) throw NativeError("ERR_SIZE", "download larger than the device buffer");
    if (count) RSNA_CUDA_CHECK(cudaMemcpyAsync(host, ptr_, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  }
  T* get() const { return ptr_; }
  size_t size() const { return count_; }

 private:
  void Release() {
    if (ptr_) {
      if (ordered_) cudaFreeAsync(ptr_, free_stream_);
      else cudaFree(ptr_);
    }
    ptr_ = nullptr;
    count_ = 0;
  }
  T* ptr_ = nullptr;
  size_t count_ = 0;
  bool ordered_ = false;
  cudaStream_t alloc_stream_ = nullptr, free_stream_ = nullptr;
};

// Page-locked host memory for async copies.
template <typename T>
class PinnedBuffer {
 public:
  explicit PinnedBuffer(size_t count) : count_(count) {
    if (count) RSNA_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&ptr_), CheckedBytes(count, sizeof(T))));
  }
  ~PinnedBuffer() { if (ptr_) cudaFreeHost(ptr_); }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  T* get() const { return ptr_; }
  size_t size() const { return count_; }

 private:
  T* ptr_ = nullptr;
  size_t count_ = 0;
};

// RAII stream.
class Stream {
 public:
  Stream() { RSNA_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  ~Stream() { if (stream_) cudaStreamDestroy(stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void Sync() const { RSNA_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

inline unsigned GridFor(size_t n, unsigned block = 256) {
  return static_cast<unsigned>((n + block - 1) / block);
}

}  // namespace cuda
}  // namespace rsna
