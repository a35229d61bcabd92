// SGD (Nesterov momentum) with parameter groups and the model EMA, written to match PyTorch 1.13's
// `torch.optim.SGD` single-tensor path and timm's `ModelEmaV2` op for op (ALGORITHMS.md §9.2, §9.9),
// so that a float32 step equals the original's. Header-only (torch); shared by the trainers.
#pragma once
#include <torch/torch.h>
#include <map>
#include <string>
#include <vector>
#include "train/common/json_lines.h"

namespace rsna {
namespace train {

struct ParamGroup {
  std::vector<std::string> names;
  std::vector<torch::Tensor> params;
  double weight_decay = 0.0;
};

// timm's param_groups_weight_decay: 1-D parameters and biases get no weight decay (group 0), the
// rest `weight_decay` (group 1). Optimizer state index = position in group 0 then group 1.
inline std::vector<ParamGroup> TimmWeightDecayGroups(const torch::OrderedDict<std::string, torch::Tensor>& named,
                                                     double weight_decay) {
  std::vector<ParamGroup> groups(2);
  groups[1].weight_decay = weight_decay;
  for (const auto& item : named) {
    const std::string& name = item.key();
    bool is_bias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    ParamGroup& g = (item.value().dim() <= 1 || is_bias) ? groups[0] : groups[1];
    g.names.push_back(name);
    g.params.push_back(item.value());
  }
  return groups;
}

// `[{"weight_decay":wd,"names":[...]}, ...]`: the groups in state-index order, for checkpoint writers.
inline std::string OptimizerGroupsJson(const std::vector<ParamGroup>& groups) {
  std::string out = "[";
  for (size_t g = 0; g < groups.size(); ++g) {
    out += std::string(g ? "," : "") + "{\"weight_decay\":" + JsonNumber(groups[g].weight_decay) + ",\"names\":[";
    for (size_t i = 0; i < groups[g].names.size(); ++i) out += (i ? "," : "") + JsonQuote(groups[g].names[i]);
    out += "]}";
  }
  return out + "]";
}

// A contiguous tensor shaped like `like` over `storage`, which is (re)allocated only when too small or of
// another dtype/device: the optimizer's and the EMA's per-parameter temporaries, reused across steps.
inline torch::Tensor ScratchLike(torch::Tensor& storage, const torch::Tensor& like) {
  if (!storage.defined() || storage.numel() < like.numel() || storage.dtype() != like.dtype() ||
      storage.device() != like.device()) {
    storage = torch::empty({like.numel()}, like.options());
  }
  return storage.narrow(0, 0, like.numel()).view(like.sizes());
}

class NesterovSgd {
 public:
  NesterovSgd(std::vector<ParamGroup> groups, double momentum) : groups_(std::move(groups)), momentum_(momentum) {
    for (const auto& g : groups_) buffers_.resize(buffers_.size() + g.params.size());
  }

  // torch.optim.SGD._single_tensor_sgd with nesterov, dampening 0: d_p = g + wd·p; buf = clone(d_p) on the
  // first step, else buf·m + d_p; d_p += m·buf; p -= lr·d_p. The same ATen kernels in the same order (so the
  // same float32 results), but the two d_p temporaries of every parameter and step are one reused
  // scratch buffer (`add_out`; where d_p already is the scratch, the second one is an in-place add).
  void Step(double lr) {
    torch::NoGradGuard no_grad;
    size_t k = 0;
    for (auto& g : groups_) {
      for (auto& p : g.params) {
        torch::Tensor& buf = buffers_[k++];
        if (!p.grad().defined()) continue;
        torch::Tensor d_p = p.grad();
        torch::Tensor s = ScratchLike(scratch_, d_p);
        if (g.weight_decay != 0.0) d_p = at::add_out(s, d_p, p, g.weight_decay);
        if (!buf.defined()) {
          buf = d_p.clone().detach();
        } else {
          buf.mul_(momentum_).add_(d_p, 1.0);
        }
        at::add_out(s, d_p, buf, momentum_);
        p.add_(s, -lr);
      }
    }
  }

  void ZeroGrad() {
    // set_to_none=False in torch 1.13's default zero_grad(): grads kept and zeroed.
    for (auto& g : groups_) {
      for (auto& p : g.params) {
        if (p.grad().defined()) {
          p.mutable_grad().detach_();
          p.mutable_grad().zero_();
        }
      }
    }
  }

  // Momentum buffers in the order of `named` (zeros where none exists yet), for flat dumps.
  std::vector<torch::Tensor> BuffersInOrder(const torch::OrderedDict<std::string, torch::Tensor>& named) const {
    std::map<std::string, torch::Tensor> by_name;
    size_t k = 0;
    for (const auto& g : groups_) for (const auto& n : g.names) by_name[n] = buffers_[k++];
    std::vector<torch::Tensor> out;
    for (const auto& item : named) {
      const torch::Tensor& b = by_name[item.key()];
      out.push_back(b.defined() ? b : torch::zeros_like(item.value()));
    }
    return out;
  }

  const std::vector<ParamGroup>& groups() const { return groups_; }
  // Momentum buffers in state-index order (undefined before the first step).
  std::vector<torch::Tensor>& buffers() { return buffers_; }
  double momentum() const { return momentum_; }

 private:
  std::vector<ParamGroup> groups_;
  std::vector<torch::Tensor> buffers_;
  torch::Tensor scratch_;
  double momentum_;
};

// timm ModelEmaV2: after every optimizer step, ema = d·ema + (1 − d)·model for every state tensor
// (float32: f32(ema·f32(d)) + f32(model·f32(1 − d)), 1 − d in double). In place with one reused scratch
// tensor: the same two multiplies and the add as timm's `copy_(d·ema + (1 − d)·model)`, without its
// three temporaries and the copy (an `add_(x, alpha)` would fuse the multiply-add and round differently).
class ModelEma {
 public:
  ModelEma(const std::vector<torch::Tensor>& model, double decay) : decay_(decay) {
    torch::NoGradGuard no_grad;
    for (const auto& t : model) ema_.push_back(t.detach().clone());
  }
  void Update(const std::vector<torch::Tensor>& model) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < ema_.size(); ++i) {
      const torch::Tensor& m = model[i];
      torch::Tensor t = ScratchLike(scratch_, m);
      at::mul_out(t, m, torch::scalar_tensor(1.0 - decay_, torch::kFloat64));  // f32(model·f32(1 − d))
      ema_[i].mul_(decay_).add_(t);
    }
  }
  std::vector<torch::Tensor>& tensors() { return ema_; }
  double decay() const { return decay_; }

 private:
  double decay_;
  std::vector<torch::Tensor> ema_;
  torch::Tensor scratch_;
};

}  // namespace train
}  // namespace rsna
