#include "train/yolox/train_state.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include "addon/errors.h"
#include "train/common/flat_io.h"
#include "train/common/json_lines.h"

namespace rsna {
namespace train {
namespace yolox {

using torch::Tensor;

namespace {
ParamGroup Group(const std::vector<std::pair<std::string, Tensor>>& v, double wd) {
  ParamGroup g;
  for (auto& e : v) {
    g.names.push_back(e.first);
    g.params.push_back(e.second);
  }
  g.weight_decay = wd;
  return g;
}
}  // namespace

YoloxOptimizer::YoloxOptimizer(YoloxModel& model, double lr_, double momentum, double weight_decay)
    : groups(YoloxParamGroups(*model)), lr(lr_), weight_decay(weight_decay) {
  sgd = std::make_unique<NesterovSgd>(
      std::vector<ParamGroup>{Group(groups.bn_weights, 0), Group(groups.weights, weight_decay), Group(groups.biases, 0)}, momentum);
}

std::vector<std::pair<std::string, Tensor>> YoloxOptimizer::Ordered() const {
  std::vector<std::pair<std::string, Tensor>> out = groups.bn_weights;
  out.insert(out.end(), groups.weights.begin(), groups.weights.end());
  out.insert(out.end(), groups.biases.begin(), groups.biases.end());
  return out;
}

std::vector<Tensor> YoloxOptimizer::MomentumBuffers() const { return sgd->buffers(); }

void YoloxOptimizer::SetMomentumBuffers(const std::vector<Tensor>& bufs) {
  auto& own = sgd->buffers();
  if (bufs.size() != own.size()) throw NativeError("ERR_SHAPE_MISMATCH", "momentum buffer count differs from the parameters");
  for (size_t i = 0; i < bufs.size(); i++) own[i] = bufs[i].defined() ? bufs[i].clone() : Tensor();
}

ModelEma::ModelEma(const YoloxConfig& cfg, YoloxModel& model, double decay, int64_t updates)
    : ema_(cfg), decay_(decay), updates_(updates) {
  ema_->to(model->parameters().front().device());
  CopyFloatState(model, ema_);
  ema_->eval();
}

void ModelEma::Update(YoloxModel& model) {
  torch::NoGradGuard ng;
  updates_++;
  const double d = decay_ * (1 - std::exp(-static_cast<double>(updates_) / 2000));
  auto src = FloatStateEntries(*model);
  auto dst = FloatStateEntries(*ema_);
  for (size_t i = 0; i < dst.size(); i++) {
    dst[i].second.mul_(d);
    dst[i].second.add_((1.0 - d) * src[i].second.detach());
  }
}

void CopyFloatState(YoloxModel& src, YoloxModel& dst) {
  torch::NoGradGuard ng;
  auto s = StateEntries(*src);
  auto d = StateEntries(*dst);
  for (size_t i = 0; i < d.size(); i++) d[i].second.copy_(s[i].second);
}

std::string LayoutText(const std::vector<std::pair<std::string, Tensor>>& entries) {
  std::ostringstream os;
  for (auto& e : entries) {
    os << e.first << '\t';
    for (int64_t i = 0; i < e.second.dim(); i++) os << (i ? "," : "") << e.second.size(i);
    os << '\n';
  }
  return os.str();
}

void SaveFloatState(YoloxModel& model, const std::string& path, const std::string& layout_path) {
  auto entries = FloatStateEntries(*model);
  std::vector<float> flat;
  for (auto& e : entries) {
    Tensor c = e.second.detach().to(torch::kFloat32).contiguous();
    flat.insert(flat.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  WriteFloat32FileAtomic(path, flat.data(), flat.size());
  if (!layout_path.empty()) WriteTextFileAtomic(layout_path, LayoutText(entries));
}

LoadReport LoadFloatState(YoloxModel& model, const std::string& path, const std::string& layout_path, bool strict) {
  std::ifstream in(layout_path);
  if (!in) throw NativeError("ERR_FILE_NOT_FOUND", layout_path + ": cannot open the state layout file");
  std::map<std::string, Tensor> by_name;
  for (auto& e : FloatStateEntries(*model)) by_name[e.first] = e.second;
  std::vector<std::pair<Tensor, int64_t>> targets;  // tensor, element offset in the file
  std::vector<std::string> problems;
  std::map<std::string, bool> seen;
  int64_t offset = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    const std::string key = line.substr(0, tab);
    std::vector<int64_t> shape;
    if (tab != std::string::npos) {
      std::stringstream ss(line.substr(tab + 1));
      std::string d;
      while (std::getline(ss, d, ',')) if (!d.empty()) shape.push_back(std::stoll(d));
    }
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    auto it = by_name.find(key);
    if (it == by_name.end()) {
      problems.push_back("unexpected key " + key);
    } else if (it->second.sizes().vec() != shape) {
      problems.push_back("shape mismatch for " + key);
    } else {
      targets.emplace_back(it->second, offset);
      seen[key] = true;
    }
    offset += numel;
  }
  LoadReport report;
  for (auto& [k, t] : by_name) if (!seen.count(k)) report.missing.push_back(k);
  if (strict) for (auto& k : report.missing) problems.push_back("missing key " + k);
  if (!strict) report.skipped = problems;
  if (strict && !problems.empty()) {
    std::string msg = layout_path + ": state does not fit the YOLOX model (";
    for (size_t i = 0; i < problems.size() && i < 5; i++) msg += (i ? "; " : "") + problems[i];
    if (problems.size() > 5) msg += "; ... " + std::to_string(problems.size()) + " in all";
    throw NativeError("ERR_ARCH_MISMATCH", msg + ")");
  }
  std::vector<float> flat = ReadFloat32File(path, offset);
  torch::NoGradGuard ng;
  for (auto& [t, off] : targets) t.copy_(torch::from_blob(flat.data() + off, t.sizes(), torch::kFloat32));
  return report;
}

void ConfigureThreads(int64_t threads) {
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
}

}  // namespace yolox
}  // namespace train
}  // namespace rsna
