#include "train/common/flat_io.h"
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include "addon/errors.h"

namespace rsna {
namespace train {

namespace {
std::string Why() { return std::strerror(errno); }
}  // namespace

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw NativeError("ERR_FILE_NOT_FOUND", path + ": " + Why());
  if (!S_ISREG(st.st_mode)) throw NativeError("ERR_FILE_NOT_FOUND", path + ": not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

std::vector<uint8_t> ReadBytes(const std::string& path, int64_t expected_bytes) {
  uint64_t size = FileSize(path);
  if (expected_bytes >= 0 && size != static_cast<uint64_t>(expected_bytes)) {
    throw NativeError("ERR_BAD_SIZE", path + ": " + std::to_string(size) + " bytes, expected " +
                                          std::to_string(expected_bytes));
  }
  CheckedBytes(size, 1);
  std::vector<uint8_t> out(size);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw NativeError("ERR_IO", path + ": " + Why());
  size_t got = size ? std::fread(out.data(), 1, size, f) : 0;
  std::fclose(f);
  if (got != size) throw NativeError("ERR_IO", path + ": short read");
  return out;
}

std::vector<float> ReadFloat32File(const std::string& path, int64_t expected_count) {
  uint64_t size = FileSize(path);
  if (size % 4 != 0) throw NativeError("ERR_BAD_SIZE", path + ": size " + std::to_string(size) + " is not a multiple of 4");
  if (expected_count >= 0 && size / 4 != static_cast<uint64_t>(expected_count)) {
    throw NativeError("ERR_BAD_SIZE", path + ": " + std::to_string(size / 4) + " float32 values, expected " +
                                          std::to_string(expected_count));
  }
  std::vector<uint8_t> raw = ReadBytes(path, static_cast<int64_t>(size));
  std::vector<float> out(size / 4);
  if (size) std::memcpy(out.data(), raw.data(), size);  // little-endian hosts only (x86-64, aarch64)
  return out;
}

void WriteBytesAtomic(const std::string& path, const void* data, size_t bytes) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw NativeError("ERR_IO", path + ": cannot write: " + Why());
  size_t put = bytes ? std::fwrite(data, 1, bytes, f) : 0;
  bool ok = put == bytes && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw NativeError("ERR_IO", path + ": write failed: " + Why());
  }
}

void WriteFloat32FileAtomic(const std::string& path, const float* data, size_t count) {
  WriteBytesAtomic(path, data, count * sizeof(float));
}

void MakeDirs(const std::string& path) {
  if (path.empty()) return;
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty() || PathExists(cur)) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) throw NativeError("ERR_IO", cur + ": cannot create folder: " + Why());
  }
}

}  // namespace train
}  // namespace rsna
