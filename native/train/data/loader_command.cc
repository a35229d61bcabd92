// `rsna-mammo-train loader`: runs the BatchLoader over a sample list, for tests and the throughput
// bench. The list is `png_path<TAB>target` per line (row = line index); batches are consecutive
// chunks of --batch-size in list order.
//   loader --list samples.tsv --batch-size B [--threads N] [--prefetch P] [--out-h H --out-w W]
//          [--val] [--seed S] [--epoch E | --epochs E1,E2..] [--serial | --runs serial,1,4..]
//          [--checksum] [--dump DIR]
// One {"event":"batch","run","epoch","index","rows","skipped"[,"checksum"]} line per batch, then
// {"event":"done","run","images","skipped","seconds","imagesPerSecond"} per run. A run is "serial"
// (PrepareSample in a plain loop, no threads: the reference the threaded path must equal) or a
// thread count (one BatchLoader, start_epoch per epoch). --dump writes the first run's first epoch.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "train/cli/subcommand.h"
#include "train/common/args.h"
#include "train/common/flat_io.h"
#include "train/common/json_lines.h"
#include "train/data/loader.h"

namespace rsna {
namespace train {
namespace data {
namespace {

std::vector<SampleRef> ReadSampleList(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw NativeError("ERR_FILE_NOT_FOUND", path + ": cannot open the sample list");
  std::vector<SampleRef> out;
  std::string line;
  for (int64_t row = 0; std::getline(f, line); ++row) {
    const size_t tab = line.rfind('\t');
    if (tab == std::string::npos) throw NativeError("ERR_INVALID_ARGUMENT", path + ": line " + std::to_string(row + 1) + " has no <TAB>target");
    const std::string target = line.substr(tab + 1);
    char* end = nullptr;
    const double v = std::strtod(target.c_str(), &end);
    if (target.empty() || *end != '\0') {
      throw NativeError("ERR_INVALID_ARGUMENT", path + ": line " + std::to_string(row + 1) + ": target \"" + target + "\" is not a number");
    }
    out.push_back(SampleRef{line.substr(0, tab), static_cast<float>(v), row});
  }
  return out;
}

// FNV-1a 64 of the batch's float bytes: a compact identity for comparing runs.
std::string Checksum(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  const uint8_t* p = static_cast<const uint8_t*>(c.data_ptr());
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0, n = static_cast<size_t>(c.numel()) * c.element_size(); i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The serial reference: same per-sample function, same skip rule, no threads.
Batch SerialBatch(const std::vector<SampleRef>& samples, const std::vector<int64_t>& idx, const LoaderOptions& o,
                  int epoch, int64_t first_position) {
  Batch b;
  std::vector<torch::Tensor> images;
  std::vector<float> targets;
  for (size_t s = 0; s < idx.size(); ++s) {
    const SampleRef& ref = samples[static_cast<size_t>(idx[s])];
    torch::Tensor img = torch::empty({3, o.out_h, o.out_w}, torch::kFloat32);
    try {
      PrepareSample(ref.png_path, o, epoch, first_position + static_cast<int64_t>(s), img.data_ptr<float>());
    } catch (const std::exception& e) {
      b.skipped.push_back(e.what());
      continue;
    }
    images.push_back(img);
    targets.push_back(ref.target);
    b.rows.push_back(ref.row);
  }
  b.images = images.empty() ? torch::empty({0, 3, o.out_h, o.out_w}) : torch::stack(images);
  b.targets = torch::tensor(targets, torch::kFloat32);
  return b;
}

std::string JsonStrings(const std::vector<std::string>& v) {
  std::string s = "[";
  for (const auto& x : v) s += (s.size() > 1 ? "," : "") + JsonQuote(x);
  return s + "]";
}

int RunLoader(const std::vector<std::string>& argv) {
  const Args a(argv, {"list", "batch-size", "threads", "prefetch", "out-h", "out-w", "seed", "epoch", "epochs", "runs", "dump"},
               {"val", "serial", "checksum"});
  const std::vector<SampleRef> samples = ReadSampleList(a.Str("list"));
  LoaderOptions o;
  o.out_h = static_cast<int>(a.Int("out-h", o.out_h));
  o.out_w = static_cast<int>(a.Int("out-w", o.out_w));
  o.train = !a.Has("val");
  o.seed = static_cast<uint64_t>(a.Int("seed", static_cast<int64_t>(o.seed)));
  o.threads = static_cast<int>(a.Int("threads", o.threads));
  o.prefetch = static_cast<int>(a.Int("prefetch", o.prefetch));
  const int64_t bs = a.Int("batch-size");
  if (bs < 1) throw NativeError("ERR_INVALID_ARGUMENT", "--batch-size must be positive");
  std::vector<std::vector<int64_t>> batches;
  for (int64_t i = 0; i < static_cast<int64_t>(samples.size()); ++i) {
    if (i % bs == 0) batches.emplace_back();
    batches.back().push_back(i);
  }
  const std::string dump = a.Str("dump", "");
  if (!dump.empty()) MakeDirs(dump);
  std::vector<int64_t> epochs = a.Has("epochs") ? a.IntList("epochs") : std::vector<int64_t>{a.Int("epoch", 0)};
  std::vector<std::string> runs;
  if (a.Has("runs")) {
    std::stringstream ss(a.Str("runs"));
    for (std::string r; std::getline(ss, r, ',');) runs.push_back(r);
  } else {
    runs.push_back(a.Has("serial") ? "serial" : std::to_string(o.threads));
  }

  for (size_t run = 0; run < runs.size(); ++run) {
    const bool serial = runs[run] == "serial";
    LoaderOptions ro = o;
    if (!serial) {
      char* end = nullptr;
      ro.threads = static_cast<int>(std::strtol(runs[run].c_str(), &end, 10));
      if (runs[run].empty() || *end != '\0' || ro.threads < 1) {
        throw NativeError("ERR_INVALID_ARGUMENT", "--runs: \"" + runs[run] + "\" is neither serial nor a thread count");
      }
    }
    const auto t0 = std::chrono::steady_clock::now();
    int64_t n_images = 0, n_skipped = 0;
    auto report = [&](int64_t epoch, size_t index, const Batch& b) {
      n_images += b.images.size(0);
      n_skipped += static_cast<int64_t>(b.skipped.size());
      std::string rows = "[";
      for (int64_t r : b.rows) rows += (rows.size() > 1 ? "," : "") + std::to_string(r);
      JsonLine line("batch");
      line.Str("run", runs[run]).Int("epoch", epoch).Int("index", static_cast<int64_t>(index));
      line.Raw("rows", rows + "]").Raw("skipped", JsonStrings(b.skipped));
      if (a.Has("checksum")) line.Str("checksum", Checksum(b.images));
      line.Emit();
      if (!dump.empty() && run == 0 && epoch == epochs[0]) {
        const torch::Tensor c = b.images.contiguous();
        WriteFloat32FileAtomic(dump + "/batch_" + std::to_string(index) + ".f32", c.data_ptr<float>(), c.numel());
      }
    };
    if (serial) {
      for (int64_t epoch : epochs) {
        int64_t position = 0;
        for (size_t i = 0; i < batches.size(); ++i) {
          report(epoch, i, SerialBatch(samples, batches[i], ro, static_cast<int>(epoch), position));
          position += static_cast<int64_t>(batches[i].size());
        }
      }
    } else {
      BatchLoader loader(samples, ro);
      for (int64_t epoch : epochs) {
        loader.start_epoch(batches, static_cast<int>(epoch));
        size_t i = 0;
        while (std::optional<Batch> b = loader.next()) report(epoch, i++, *b);
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    JsonLine("done")
        .Str("run", runs[run])
        .Int("images", n_images)
        .Int("skipped", n_skipped)
        .Num("seconds", seconds)
        .Num("imagesPerSecond", seconds > 0 ? n_images / seconds : 0)
        .Emit();
  }
  return 0;
}

}  // namespace

RSNA_TRAIN_SUBCOMMAND("loader", RunLoader, "run the training BatchLoader over a sample list (tests, throughput)");

}  // namespace data
}  // namespace train
}  // namespace rsna
