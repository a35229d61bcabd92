#include "train/common/args.h"
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include "addon/errors.h"

namespace rsna {
namespace train {

namespace {

[[noreturn]] void Bad(const std::string& name, const std::string& expected, const std::string& value) {
  throw NativeError("ERR_INVALID_ARGUMENT", "Expected " + expected + " for --" + name + " but received \"" + value + "\"");
}

double ParseDouble(const std::string& name, const std::string& s) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) Bad(name, "a finite number", s);
  return v;
}

int64_t ParseInt(const std::string& name, const std::string& s) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE) Bad(name, "an integer", s);
  return v;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0) throw NativeError("ERR_INVALID_ARGUMENT", "unexpected argument \"" + a + "\"");
    std::string name = a.substr(2);
    std::string value;
    auto eq = name.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name) && !inline_value) {
      flags_.insert(name);
    } else if (valued.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) throw NativeError("ERR_INVALID_ARGUMENT", "--" + name + " needs a value");
        value = argv[++i];
      }
      values_[name] = value;
    } else {
      throw NativeError("ERR_INVALID_ARGUMENT", "unknown option --" + name);
    }
  }
}

bool Args::Has(const std::string& name) const { return values_.count(name) || flags_.count(name); }

std::string Args::Str(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw NativeError("ERR_INVALID_ARGUMENT", "--" + name + " is required");
  return it->second;
}
std::string Args::Str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}
double Args::Double(const std::string& name) const { return ParseDouble(name, Str(name)); }
double Args::Double(const std::string& name, double fallback) const {
  return values_.count(name) ? Double(name) : fallback;
}
int64_t Args::Int(const std::string& name) const { return ParseInt(name, Str(name)); }
int64_t Args::Int(const std::string& name, int64_t fallback) const {
  return values_.count(name) ? Int(name) : fallback;
}
std::vector<double> Args::DoubleList(const std::string& name) const {
  std::vector<double> out;
  for (const auto& s : SplitComma(Str(name))) out.push_back(ParseDouble(name, s));
  return out;
}
std::vector<int64_t> Args::IntList(const std::string& name) const {
  std::vector<int64_t> out;
  for (const auto& s : SplitComma(Str(name))) out.push_back(ParseInt(name, s));
  return out;
}

}  // namespace train
}  // namespace rsna
