// Device-check helpers of the CUDA addon:
//   cudaMemoryBandwidth(bytes, iterations) → { deviceToDeviceGBps, hostToDeviceGBps, deviceToHostGBps }
//     (device-to-device counts bytes read + written, the usual "copy bandwidth"; host copies use pinned memory)
//   cudaSetKernelTiming(enabled), cudaKernelTimings(reset) → [{ name, calls, milliseconds, bytes }]
#include <napi.h>
#include <atomic>
#include "addon/async.h"
#include "addon/registry.h"
#include "cuda_addon/cuda_common.h"
#include "cuda_addon/kernel_timing.h"

namespace rsna {
namespace cuda {

namespace {
std::atomic<bool> g_timing{false};
std::mutex g_stats_mutex;
std::map<std::string, KernelStat> g_stats;
}  // namespace

bool KernelTimingEnabled() { return g_timing.load(std::memory_order_relaxed); }
void SetKernelTimingEnabled(bool enabled) { g_timing.store(enabled); }

void RecordKernel(const std::string& name, double milliseconds, double bytes) {
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  KernelStat& s = g_stats[name];
  s.calls += 1;
  s.milliseconds += milliseconds;
  s.bytes += bytes;
}

std::map<std::string, KernelStat> TakeKernelStats(bool reset) {
  std::lock_guard<std::mutex> lock(g_stats_mutex);
  std::map<std::string, KernelStat> out = g_stats;
  if (reset) g_stats.clear();
  return out;
}

namespace {

struct Bandwidth {
  double d2d = 0, h2d = 0, d2h = 0;
};

// Mean time of `iterations` copies after one warm-up, with CUDA events on one stream.
template <typename Copy>
double TimeCopies(const Stream& stream, int iterations, Copy copy) {
  copy();
  cudaEvent_t start, stop;
  RSNA_CUDA_CHECK(cudaEventCreate(&start));
  RSNA_CUDA_CHECK(cudaEventCreate(&stop));
  RSNA_CUDA_CHECK(cudaEventRecord(start, stream.get()));
  for (int i = 0; i < iterations; ++i) copy();
  RSNA_CUDA_CHECK(cudaEventRecord(stop, stream.get()));
  RSNA_CUDA_CHECK(cudaEventSynchronize(stop));
  float ms = 0.f;
  RSNA_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms / iterations;
}

Bandwidth MeasureBandwidth(size_t bytes, int iterations) {
  Stream stream;
  DeviceBuffer<char> a(bytes), b(bytes);
  PinnedBuffer<char> host(bytes);
  RSNA_CUDA_CHECK(cudaMemsetAsync(a.get(), 1, bytes, stream.get()));
  const double gb = static_cast<double>(bytes) / 1e9;
  Bandwidth r;
  double ms = TimeCopies(stream, iterations, [&] {
    RSNA_CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()));
  });
  r.d2d = 2.0 * gb / (ms / 1e3);
  ms = TimeCopies(stream, iterations, [&] {
    RSNA_CUDA_CHECK(cudaMemcpyAsync(a.get(), host.get(), bytes, cudaMemcpyHostToDevice, stream.get()));
  });
  r.h2d = gb / (ms / 1e3);
  ms = TimeCopies(stream, iterations, [&] {
    RSNA_CUDA_CHECK(cudaMemcpyAsync(host.get(), a.get(), bytes, cudaMemcpyDeviceToHost, stream.get()));
  });
  r.d2h = gb / (ms / 1e3);
  return r;
}

Napi::Value MemoryBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double mb = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 256.0 * (1 << 20);
  int iterations = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 20;
  if (!(mb >= 1 && mb <= 8.0 * (1ull << 30)) || iterations < 1 || iterations > 1000) {
    throw MakeError(env, "ERR_INVALID_ARGUMENT", "cudaMemoryBandwidth(bytes in [1, 8 GiB], iterations in [1, 1000])");
  }
  size_t bytes = static_cast<size_t>(mb);
  return RunAsync<Bandwidth>(
      env, [bytes, iterations]() { return MeasureBandwidth(bytes, iterations); },
      [](Napi::Env env, Bandwidth& r) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("deviceToDeviceGBps", r.d2d);
        o.Set("hostToDeviceGBps", r.h2d);
        o.Set("deviceToHostGBps", r.d2h);
        return o;
      });
}

Napi::Value SetTiming(const Napi::CallbackInfo& info) {
  SetKernelTimingEnabled(info[0].ToBoolean());
  return info.Env().Undefined();
}

Napi::Value Timings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& [name, s] : TakeKernelStats(info[0].ToBoolean())) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", name);
    o.Set("calls", static_cast<double>(s.calls));
    o.Set("milliseconds", s.milliseconds);
    o.Set("bytes", s.bytes);
    out.Set(i++, o);
  }
  return out;
}

void InitBench(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaMemoryBandwidth", Napi::Function::New(env, MemoryBandwidth, "cudaMemoryBandwidth"));
  exports.Set("cudaSetKernelTiming", Napi::Function::New(env, SetTiming, "cudaSetKernelTiming"));
  exports.Set("cudaKernelTimings", Napi::Function::New(env, Timings, "cudaKernelTimings"));
}

}  // namespace

RSNA_REGISTER_MODULE(cuda_bench, InitBench);

}  // namespace cuda
}  // namespace rsna
