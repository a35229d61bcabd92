// JSON lines on stdout, the executable's only channel to the TypeScript driver (logs go to stderr):
//   JsonLine("progress").Int("epoch", 3).Num("loss", 0.41).Emit();
// Emit() writes one line and flushes; it is safe to call from several threads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rsna {
namespace train {

// `s` as a JSON string literal (with quotes).
std::string JsonQuote(const std::string& s);
// A finite double with round-trip precision; NaN/Inf become null (JSON has no such numbers).
std::string JsonNumber(double v);
std::string JsonNumberArray(const std::vector<double>& v);

class JsonLine {
 public:
  explicit JsonLine(const std::string& event);
  JsonLine& Str(const std::string& key, const std::string& value);
  JsonLine& Num(const std::string& key, double value);
  JsonLine& Int(const std::string& key, int64_t value);
  JsonLine& Bool(const std::string& key, bool value);
  // `json` must already be valid JSON (an array or object built by the caller).
  JsonLine& Raw(const std::string& key, const std::string& json);
  std::string Text() const { return body_ + "}"; }
  void Emit() const;

 private:
  std::string body_;
};

// Writes `text` to `path` atomically (temporary file + rename); throws NativeError naming the file.
void WriteTextFileAtomic(const std::string& path, const std::string& text);

}  // namespace train
}  // namespace rsna
