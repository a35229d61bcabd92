// Flat little-endian files (the goldens' `*.bin` format: tensors concatenated in C order, no header)
// and atomic writes. Sizes are checked before allocation; errors name the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rsna {
namespace train {

// Size of a regular file in bytes; throws ERR_FILE_NOT_FOUND naming it.
uint64_t FileSize(const std::string& path);
// Whole file; `expected_bytes` >= 0 must match exactly (ERR_BAD_SIZE otherwise).
std::vector<uint8_t> ReadBytes(const std::string& path, int64_t expected_bytes = -1);
// float32 LE values; `expected_count` >= 0 must match exactly.
std::vector<float> ReadFloat32File(const std::string& path, int64_t expected_count = -1);
// Temporary file beside `path`, then rename: readers never see a partial file.
void WriteBytesAtomic(const std::string& path, const void* data, size_t bytes);
void WriteFloat32FileAtomic(const std::string& path, const float* data, size_t count);
bool PathExists(const std::string& path);
// mkdir -p; throws ERR_IO naming the folder.
void MakeDirs(const std::string& path);

}  // namespace train
}  // namespace rsna
