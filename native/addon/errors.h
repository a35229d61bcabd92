// Typed native errors: kernels throw NativeError(code, message); the N-API glue turns it into a JS
// Error whose `code` property is the code (e.g. "ERR_DICOM_TRUNCATED"), never a crash.
#pragma once
#include <stdexcept>
#include <string>

namespace rsna {

class NativeError : public std::runtime_error {
 public:
  NativeError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// Multiplies sizes with an overflow check before any allocation (sizes come from untrusted headers).
inline size_t CheckedBytes(size_t a, size_t b, size_t c = 1, size_t limit = size_t(1) << 33) {
  if (a != 0 && b > limit / a) throw NativeError("ERR_SIZE", "size overflow");
  size_t ab = a * b;
  if (ab != 0 && c > limit / ab) throw NativeError("ERR_SIZE", "size overflow");
  size_t total = ab * c;
  if (total > limit) throw NativeError("ERR_SIZE", "allocation of " + std::to_string(total) + " bytes exceeds the limit");
  return total;
}

}  // namespace rsna
