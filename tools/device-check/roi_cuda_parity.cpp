// Device check of the ROI CUDA twin without Node: CPU DecodeYolox + FilterAnchors vs DecodeFilterCuda
// on raw head outputs given as files (float32 LE, anchors×6 for a 416 input) and on synthetic outputs of
// larger inputs, printing one table row per case: kernel, anchors, max abs diff, candidates equal, time,
// GB/s (end to end, H2D + kernel + D2H). Built and run by scripts/device-check-roi.sh.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "roi/yolox_decode_cuda.h"
#include "roi/yolox_post.h"

using rsna::roi::YoloxGrid;

namespace {

std::vector<float> ReadF32(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamsize n = in.tellg();
  std::vector<float> v(static_cast<size_t>(std::max<std::streamsize>(n, 0)) / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  return v;
}

std::vector<float> Synthetic(const YoloxGrid& g) {
  std::vector<float> v(static_cast<size_t>(g.anchors) * 6);
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = i % 6 < 4 ? std::sin(static_cast<float>(i)) * 3.0f : 0.5f + 0.5f * std::cos(static_cast<float>(i) * 0.37f);
  }
  // Hostile sizes: exp overflow, underflow and NaN must agree too.
  for (size_t a = 0; a < static_cast<size_t>(g.anchors); a += 97) v[a * 6 + 2] = 150.0f;
  for (size_t a = 5; a < static_cast<size_t>(g.anchors); a += 89) v[a * 6 + 3] = -150.0f;
  for (size_t a = 7; a < static_cast<size_t>(g.anchors); a += 101) v[a * 6 + 2] = NAN;
  return v;
}

// False when the twin disagrees: candidates differ or any decoded value is not bit-identical (both
// sides use the same float32 operation order and exp recipe, torch_expf.h; NaN matches NaN).
bool Compare(const std::string& name, const std::vector<float>& raw, int input_size) {
  YoloxGrid grid(input_size);
  if (raw.size() != static_cast<size_t>(grid.anchors) * 6) {
    std::printf("| %s | wrong size %zu |\n", name.c_str(), raw.size());
    return false;
  }
  const std::vector<float> cpu = rsna::roi::DecodeYolox(raw.data(), grid);
  const std::vector<int32_t> cpu_c = rsna::roi::FilterAnchors(cpu, grid.anchors, 0.5);
  rsna::roi::DecodeFilterCuda(raw.data(), grid, 0.5);  // warm-up (context, module load)
  const int reps = 20;
  const auto t0 = std::chrono::steady_clock::now();
  rsna::roi::DecodeFilterResult dev;
  for (int r = 0; r < reps; ++r) dev = rsna::roi::DecodeFilterCuda(raw.data(), grid, 0.5);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
  double worst = 0;
  const bool same_candidates = dev.candidates == cpu_c;
  bool ok = same_candidates;
  for (size_t i = 0; i < cpu.size(); ++i) {
    const double d = std::fabs(static_cast<double>(dev.decoded[i]) - cpu[i]);
    worst = std::max(worst, d);
    // NaN in, NaN out on both sides (the device writes the canonical NaN, the host keeps the payload).
    const bool both_nan = std::isnan(dev.decoded[i]) && std::isnan(cpu[i]);
    if (!both_nan && std::memcmp(&dev.decoded[i], &cpu[i], sizeof(float)) != 0) ok = false;
  }
  const double bytes = 2.0 * static_cast<double>(raw.size()) * sizeof(float) + grid.anchors;
  std::printf("| yoloxDecodeFilter %s | %d | %.3g | %s (%zu) | %.3f ms | %.2f |\n", name.c_str(), grid.anchors, worst,
              same_candidates ? "equal" : "DIFFER", cpu_c.size(), ms, bytes / (ms * 1e6));
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("| kernel / input | anchors | max abs diff | candidates | time | GB/s (H2D+kernel+D2H) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  bool ok = true;
  try {
    for (int i = 1; i < argc; ++i) ok = Compare(argv[i], ReadF32(argv[i]), 416) && ok;
    for (int size : {416, 1024, 4096}) ok = Compare("synthetic-" + std::to_string(size), Synthetic(YoloxGrid(size)), size) && ok;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 2;
  }
  std::printf("%s\n", ok ? "ROI CUDA parity: OK" : "ROI CUDA parity: FAILED");
  return ok ? 0 : 1;
}
