// Shared CUDA helpers for the CUDA twins: error checks that throw NativeError (never abort),
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

// Device memory owned by one object; size checked before allocation.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count) { Resize(count); }
  ~DeviceBuffer() { Release(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), count_(std::exchange(o.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) { Release(); ptr_ = std::exchange(o.ptr_, nullptr); count_ = std::exchange(o.count_, 0); }
    return *this;
  }

  void Resize(size_t count) {
    if (count == count_) return;
    Release();
    if (count == 0) return;
    size_t bytes = CheckedBytes(count, sizeof(T));
    RSNA_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ptr_), bytes));
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
    if (ptr_) cudaFree(ptr_);
    ptr_ = nullptr;
    count_ = 0;
  }
  T* ptr_ = nullptr;
  size_t count_ = 0;
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
