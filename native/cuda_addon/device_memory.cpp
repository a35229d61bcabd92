// Stream-ordered allocation support (cuda_common.h DeviceBuffer::StreamOrdered): asked once per
// device, and the default memory pool told to keep freed memory (up to kRetainBytes) so the per-image
// buffers of the GPU prepare stage are reused instead of returned to the driver at every sync.
#include <cstdint>
#include <map>
#include <mutex>
#include "cuda_addon/cuda_common.h"

namespace rsna {
namespace cuda {

namespace {
constexpr uint64_t kRetainBytes = uint64_t(1) << 30;
std::mutex g_mutex;
std::map<int, bool> g_supported;
}  // namespace

bool StreamOrderedAllocation() {
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return false;
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_supported.find(device);
  if (it != g_supported.end()) return it->second;
  int pools = 0;
  bool ok = cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, device) == cudaSuccess && pools != 0;
  if (ok) {
    cudaMemPool_t pool = nullptr;
    uint64_t retain = kRetainBytes;
    ok = cudaDeviceGetDefaultMemPool(&pool, device) == cudaSuccess &&
         cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &retain) == cudaSuccess;
  }
  cudaGetLastError();  // an unsupported query leaves no sticky error for the next check
  g_supported[device] = ok;
  return ok;
}

}  // namespace cuda
}  // namespace rsna
