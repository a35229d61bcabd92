// ASan/UBSan harness for the native DICOM codecs (native/dicom): decodes every case in a folder
// written by make-cases.ts (NAME.bin = one frame's codestream, NAME.spec = "codec rows columns spp
// bitsAllocated bitsStored signed") and prints one line per case: ok, or the typed error. Any memory
// error aborts with the sanitizer's report. Built and run by run.sh; not part of the addon.
#include <dirent.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>
#include "dicom/codecs.h"

using namespace rsna::dicom;

static CodecFn Find(const std::string& name) {
  if (name == "rle") return DecodeRle;
#ifdef RSNA_HAVE_OPENJPEG
  if (name == "openjpeg") return DecodeOpenJpeg;
#endif
#ifdef RSNA_HAVE_CHARLS
  if (name == "charls") return DecodeCharls;
#endif
#ifdef RSNA_HAVE_GDCM_JPEG
  if (name == "gdcm-jpeg") return DecodeGdcmJpeg;
#endif
#ifdef RSNA_HAVE_OPENJPH
  if (name == "openjph") return DecodeOpenJph;
#endif
  return nullptr;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: harness CASE_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  DIR* d = opendir(dir.c_str());
  if (!d) return 2;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".spec") == 0) names.push_back(n.substr(0, n.size() - 5));
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  int ok = 0, errors = 0, skipped = 0;
  for (const auto& n : names) {
    std::ifstream specFile(dir + "/" + n + ".spec");
    std::string codec;
    FrameSpec spec;
    int isSigned = 0;
    specFile >> codec >> spec.rows >> spec.columns >> spec.samplesPerPixel >> spec.bitsAllocated >> spec.bitsStored >> isSigned;
    spec.isSigned = isSigned != 0;
    spec.threads = 1;
    CodecFn fn = Find(codec);
    if (!fn) { ++skipped; continue; }
    std::ifstream bin(dir + "/" + n + ".bin", std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(bin)), std::istreambuf_iterator<char>());
    const auto t0 = std::chrono::steady_clock::now();
    auto ms = [&] { return long(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()); };
    try {
      DecodedFrame f = fn(data.data(), data.size(), spec);
      ++ok;
      std::printf("ok %s %s %zu bytes %ld ms\n", n.c_str(), f.decoder.c_str(), f.bytes.size(), ms());
    } catch (const rsna::NativeError& e) {
      ++errors;
      std::printf("error %s %s %ld ms: %s\n", n.c_str(), e.code().c_str(), ms(), e.what());
    }
    std::fflush(stdout);
  }
  std::printf("summary cases=%zu ok=%d typed_errors=%d skipped=%d\n", names.size(), ok, errors, skipped);
  return 0;
}
