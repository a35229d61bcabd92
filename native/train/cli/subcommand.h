// Self-registering subcommands of `rsna-mammo-train`: a translation unit declares
//   RSNA_TRAIN_SUBCOMMAND("steps-classifier", RunStepsClassifier);
// and main.cc dispatches argv[1] to it. `fn` gets the arguments after the subcommand name and
// returns the exit code; it reports results as JSON lines on stdout (common/json_lines.h) and throws
// rsna::NativeError(code, message) for bad input (main.cc turns it into an error event).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace rsna {
namespace train {

using SubcommandFn = int (*)(const std::vector<std::string>& args);

struct SubcommandInfo {
  SubcommandFn fn;
  std::string summary;
};

// Name → subcommand, filled by static registrars before main() runs.
std::map<std::string, SubcommandInfo>& SubcommandRegistry();

struct SubcommandRegistrar {
  SubcommandRegistrar(const char* name, SubcommandFn fn, const char* summary = "") {
    SubcommandRegistry()[name] = SubcommandInfo{fn, summary};
  }
};

}  // namespace train
}  // namespace rsna

#define RSNA_TRAIN_CONCAT_INNER(a, b) a##b
#define RSNA_TRAIN_CONCAT(a, b) RSNA_TRAIN_CONCAT_INNER(a, b)
// Optional third argument: one-line summary for the usage text.
#define RSNA_TRAIN_SUBCOMMAND(name, fn, ...) \
  static ::rsna::train::SubcommandRegistrar RSNA_TRAIN_CONCAT(rsna_train_subcommand_, __LINE__)(name, fn, ##__VA_ARGS__)
