// ConvNeXt as timm builds it for the classifier (ALGORITHMS.md §4.2): patch stem, 4 stages of
// (LayerNorm2d + 2x2 conv downsample, blocks), head = global max pool → LayerNorm2d → dropout → fc.
// Parameter names and order equal timm's named_parameters() (stem.0.weight, stages.1.downsample.0.*,
// stages.N.blocks.M.{gamma,conv_dw,norm,mlp.fc1,mlp.fc2}, head.norm, head.fc) so that checkpoints
// map 1:1. The op sequence follows timm's forward so libtorch gives the same float32 results.
#pragma once
#include <torch/torch.h>
#include <string>
#include <vector>

namespace rsna {
namespace train {

struct ConvNeXtConfig {
  std::vector<int64_t> depths{3, 3, 27, 3};  // convnext_small
  std::vector<int64_t> dims{96, 192, 384, 768};
  int64_t in_chans = 3;
  int64_t num_classes = 1;
  double drop_rate = 0.0;       // head dropout (ALGORITHMS.md §9.2: 0.5 in training)
  double drop_path_rate = 0.0;  // stochastic depth, linearly spaced over all blocks (0.2)
  double ls_init_value = 1e-6;  // layer-scale gamma at init
};

// Keep-masks of drop-path and dropout, in call order. By default they are drawn like timm/ATen
// (`empty(shape).bernoulli_(p_keep)` on the default generator); tests inject recorded masks instead.
class DropMasks {
 public:
  // 0/1 values of every draw concatenated in call order (shapes come from the forward).
  void Inject(std::vector<float> values);
  bool injected() const { return injected_; }
  size_t consumed() const { return pos_; }
  size_t available() const { return values_.size(); }
  torch::Tensor Keep(at::IntArrayRef shape, double p_keep, const torch::Tensor& like);

 private:
  bool injected_ = false;
  std::vector<float> values_;
  size_t pos_ = 0;
};

// timm LayerNorm2d: layer_norm over channels of an NCHW tensor (permute, normalise, permute back).
class LayerNorm2dImpl : public torch::nn::Module {
 public:
  LayerNorm2dImpl(int64_t channels, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;

 private:
  int64_t channels_;
  double eps_;
};
TORCH_MODULE(LayerNorm2d);

class ConvNeXtBlockImpl : public torch::nn::Module {
 public:
  ConvNeXtBlockImpl(int64_t dim, double drop_path, double ls_init_value, DropMasks* masks);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor gamma;
  double drop_path() const { return drop_path_; }

 private:
  torch::nn::Conv2d conv_dw{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  double drop_path_;
  DropMasks* masks_;
};
TORCH_MODULE(ConvNeXtBlock);

class ConvNeXtImpl : public torch::nn::Module {
 public:
  explicit ConvNeXtImpl(const ConvNeXtConfig& config);
  // [B, in_chans, H, W] normalised float → [B, num_classes] logits.
  torch::Tensor forward(const torch::Tensor& x);
  const ConvNeXtConfig& config() const { return config_; }
  DropMasks& masks() { return masks_; }
  // timm's _init_weights (trunc-normal std 0.02 conv/linear weights, zero biases, LN ones/zeros,
  // gamma = ls_init_value): only for training from scratch (tests, tiny runs).
  void InitWeights();

 private:
  ConvNeXtConfig config_;
  DropMasks masks_;
  torch::nn::Conv2d stem_conv{nullptr};
  LayerNorm2d stem_norm{nullptr};
  std::vector<LayerNorm2d> down_norm;
  std::vector<torch::nn::Conv2d> down_conv;  // null for stage 0
  std::vector<std::vector<ConvNeXtBlock>> blocks;
  LayerNorm2d head_norm{nullptr};
  torch::nn::Linear head_fc{nullptr};
};
TORCH_MODULE(ConvNeXt);

}  // namespace train
}  // namespace rsna
