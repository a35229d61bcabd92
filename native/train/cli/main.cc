// Entry point of `rsna-mammo-train`: dispatches argv[1] to a registered subcommand (subcommand.h).
// Every failure becomes one `{"event":"error","code":"ERR_...","message":...}` line on stdout and
// exit code 1, so the TypeScript driver (lib/train/executable.ts) can map it to an RsnaMammoError.
#include <cstdio>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>
#include "addon/errors.h"
#include "train/cli/subcommand.h"
#include "train/common/json_lines.h"

namespace rsna {
namespace train {

std::map<std::string, SubcommandInfo>& SubcommandRegistry() {
  static std::map<std::string, SubcommandInfo> registry;
  return registry;
}

namespace {

void PrintUsage(std::ostream& out) {
  out << "Usage: rsna-mammo-train <subcommand> [--option value ...]\n"
         "Normally run by the rsna-mammo CLI (`rsna-mammo train ...`). Subcommands:\n";
  for (const auto& [name, info] : SubcommandRegistry()) {
    out << "  " << name << (info.summary.empty() ? "" : "  " + info.summary) << "\n";
  }
}

int ReportError(const std::string& code, const std::string& message) {
  JsonLine("error").Str("code", code).Str("message", message).Emit();
  return 1;
}

}  // namespace
}  // namespace train
}  // namespace rsna

int main(int argc, char** argv) {
  using namespace rsna::train;
#ifdef __linux__
  // Die with the driver: a killed `rsna-mammo train` must not leave an orphan trainer writing files.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    PrintUsage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  auto it = SubcommandRegistry().find(name);
  if (it == SubcommandRegistry().end()) {
    PrintUsage(std::cerr);
    return ReportError("ERR_INVALID_ARGUMENT", "unknown subcommand \"" + name + "\"");
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    return it->second.fn(args);
  } catch (const rsna::NativeError& e) {
    return ReportError(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return ReportError("ERR_OUT_OF_MEMORY", "out of memory");
  } catch (const std::exception& e) {
    // c10::Error and friends: keep the first line (libtorch appends a C++ backtrace).
    std::string msg = e.what();
    auto nl = msg.find('\n');
    if (nl != std::string::npos) msg = msg.substr(0, nl);
    return ReportError("ERR_TRAIN_NATIVE", msg);
  }
}
