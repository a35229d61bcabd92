#include "train/common/json_lines.h"
#include <cmath>
#include <cstdio>
#include <mutex>
#include "addon/errors.h"
#include "train/common/flat_io.h"

namespace rsna {
namespace train {

std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string JsonNumberArray(const std::vector<double>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + JsonNumber(v[i]);
  return out + "]";
}

JsonLine::JsonLine(const std::string& event) : body_("{\"event\":" + JsonQuote(event)) {}

JsonLine& JsonLine::Str(const std::string& key, const std::string& value) {
  body_ += "," + JsonQuote(key) + ":" + JsonQuote(value);
  return *this;
}
JsonLine& JsonLine::Num(const std::string& key, double value) {
  body_ += "," + JsonQuote(key) + ":" + JsonNumber(value);
  return *this;
}
JsonLine& JsonLine::Int(const std::string& key, int64_t value) {
  body_ += "," + JsonQuote(key) + ":" + std::to_string(value);
  return *this;
}
JsonLine& JsonLine::Bool(const std::string& key, bool value) {
  body_ += "," + JsonQuote(key) + (value ? ":true" : ":false");
  return *this;
}
JsonLine& JsonLine::Raw(const std::string& key, const std::string& json) {
  body_ += "," + JsonQuote(key) + ":" + json;
  return *this;
}

void JsonLine::Emit() const {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::string line = Text() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

void WriteTextFileAtomic(const std::string& path, const std::string& text) {
  WriteBytesAtomic(path, text.data(), text.size());
}

}  // namespace train
}  // namespace rsna
