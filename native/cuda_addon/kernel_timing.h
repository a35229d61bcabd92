// Optional per-kernel timing for the device check: a launcher wraps its launch in
//   rsna::cuda::KernelTiming timing("imgproc.window", bytesReadPlusWritten, stream);
// When timing is on (cudaSetKernelTiming(true) from JS) it records CUDA events around the launch
// and adds the elapsed time to a process-wide table read by cudaKernelTimings(). Off: two branches.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace rsna {
namespace cuda {

struct KernelStat {
  uint64_t calls = 0;
  double milliseconds = 0.0;
  double bytes = 0.0;
};

bool KernelTimingEnabled();
void SetKernelTimingEnabled(bool enabled);
void RecordKernel(const std::string& name, double milliseconds, double bytes);
std::map<std::string, KernelStat> TakeKernelStats(bool reset);

class KernelTiming {
 public:
  KernelTiming(const char* name, double bytes, cudaStream_t stream) : name_(name), bytes_(bytes), stream_(stream) {
    if (!KernelTimingEnabled()) return;
    if (cudaEventCreate(&start_) != cudaSuccess || cudaEventCreate(&stop_) != cudaSuccess) return;
    active_ = cudaEventRecord(start_, stream_) == cudaSuccess;
  }
  ~KernelTiming() {
    if (active_ && cudaEventRecord(stop_, stream_) == cudaSuccess && cudaEventSynchronize(stop_) == cudaSuccess) {
      float ms = 0.f;
      if (cudaEventElapsedTime(&ms, start_, stop_) == cudaSuccess) RecordKernel(name_, ms, bytes_);
    }
    if (start_) cudaEventDestroy(start_);
    if (stop_) cudaEventDestroy(stop_);
  }
  KernelTiming(const KernelTiming&) = delete;
  KernelTiming& operator=(const KernelTiming&) = delete;

 private:
  const char* name_;
  double bytes_;
  cudaStream_t stream_;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  bool active_ = false;
};

}  // namespace cuda
}  // namespace rsna
