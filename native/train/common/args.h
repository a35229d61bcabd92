// `--name value` / `--flag` argument parsing for subcommands. Unknown options are errors
// (ERR_INVALID_ARGUMENT naming the option), so a typo never silently changes a run.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace rsna {
namespace train {

class Args {
 public:
  // `valued`: options taking a value; `flags`: options without one.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
       const std::set<std::string>& flags = {});

  bool Has(const std::string& name) const;
  std::string Str(const std::string& name) const;  // required
  std::string Str(const std::string& name, const std::string& fallback) const;
  double Double(const std::string& name) const;
  double Double(const std::string& name, double fallback) const;
  int64_t Int(const std::string& name) const;
  int64_t Int(const std::string& name, int64_t fallback) const;
  // Comma-separated numbers ("4,3,256,128").
  std::vector<double> DoubleList(const std::string& name) const;
  std::vector<int64_t> IntList(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
};

}  // namespace train
}  // namespace rsna
