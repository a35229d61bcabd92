// YOLOX (CSPDarknet + YOLOPAFPN + YOLOXHead, ALGORITHMS.md §2.1) as libtorch modules registered
// under the original module names and in the original registration order, so `StateEntries()`
// lists exactly the keys of the original state_dict, in its order.
#pragma once
#include <torch/torch.h>
#include <string>
#include <utility>
#include <vector>

namespace rsna {
namespace train {
namespace yolox {

struct YoloxConfig {
  double depth = 0.33;
  double width = 0.25;
  bool depthwise = true;
  int64_t num_classes = 1;
  double bn_eps = 1e-3;       // exp.get_model() sets eps 1e-3 and momentum 0.03 on every BN
  double bn_momentum = 0.03;
};

class YoloxModelImpl;

// Per-level raw head outputs [B, 5 + classes, H, W] = cat(reg, obj, cls) (logits, no sigmoid).
struct HeadOutputs {
  std::vector<torch::Tensor> levels;
};

class YoloxModelImpl : public torch::nn::Module {
 public:
  explicit YoloxModelImpl(const YoloxConfig& cfg);
  // Raw per-level outputs (train-mode forward used by the loss).
  HeadOutputs ForwardLevels(const torch::Tensor& images);
  // Eval output with decode_in_inference False: [B, anchors, 5 + C] = [tx,ty,tw,th,σ(obj),σ(cls)].
  torch::Tensor ForwardRaw(const torch::Tensor& images);
  const YoloxConfig& config() const { return cfg_; }
  static std::vector<int64_t> Strides() { return {8, 16, 32}; }
  // `initialize_biases(prior)`: obj and cls prediction biases = −log((1 − p)/p).
  void InitializeBiases(double prior);

 private:
  YoloxConfig cfg_;
  torch::nn::Module* backbone_ = nullptr;  // YOLOPAFPN, owned by the module tree
  torch::nn::Module* head_ = nullptr;      // YOLOXHead
};
TORCH_MODULE(YoloxModel);

// Every state_dict entry (parameters, then buffers, then children, recursively; undefined tensors
// skipped) as (key, tensor), i.e. Python's `state_dict()` order.
std::vector<std::pair<std::string, torch::Tensor>> StateEntries(torch::nn::Module& m);
// Floating entries only (parameters + BN running stats): the flat state file layout.
std::vector<std::pair<std::string, torch::Tensor>> FloatStateEntries(torch::nn::Module& m);
// Parameters in named_parameters() order.
std::vector<std::pair<std::string, torch::Tensor>> ParameterEntries(torch::nn::Module& m);

// exp.get_optimizer's three groups, by the original rule over named_modules(): every module's
// `bias` parameter → biases; BatchNorm (or a module name containing "bn") weight → bn_weights;
// any other module weight → weights (the only group with weight decay).
struct ParamGroups {
  std::vector<std::pair<std::string, torch::Tensor>> bn_weights, weights, biases;
};
ParamGroups YoloxParamGroups(torch::nn::Module& m);

}  // namespace yolox
}  // namespace train
}  // namespace rsna
