#include "train/convnext/model.h"
#include "addon/errors.h"

namespace rsna {
namespace train {

namespace nn = torch::nn;

void DropMasks::Inject(std::vector<float> values) {
  values_ = std::move(values);
  pos_ = 0;
  injected_ = true;
}

torch::Tensor DropMasks::Keep(at::IntArrayRef shape, double p_keep, const torch::Tensor& like) {
  if (!injected_) return like.new_empty(shape).bernoulli_(p_keep);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (pos_ + static_cast<size_t>(n) > values_.size()) {
    throw NativeError("ERR_BAD_MASKS", "the injected masks hold " + std::to_string(values_.size()) +
                                           " values; the forward needs more (" + std::to_string(pos_ + n) + ")");
  }
  torch::Tensor m = torch::from_blob(values_.data() + pos_, shape, torch::kFloat32).to(like.options()).clone();
  pos_ += static_cast<size_t>(n);
  return m;
}

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps) : channels_(channels), eps_(eps) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x.permute({0, 2, 3, 1}), {channels_}, weight, bias, eps_).permute({0, 3, 1, 2});
}

ConvNeXtBlockImpl::ConvNeXtBlockImpl(int64_t dim, double drop_path, double ls_init_value, DropMasks* masks)
    : drop_path_(drop_path), masks_(masks) {
  // Registration order = timm's named_parameters order: the block's own gamma first, then children.
  gamma = register_parameter("gamma", torch::full({dim}, ls_init_value));
  conv_dw = register_module("conv_dw", nn::Conv2d(nn::Conv2dOptions(dim, dim, 7).padding(3).groups(dim).bias(true)));
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
  auto mlp = register_module("mlp", std::make_shared<nn::Module>());
  fc1 = mlp->register_module("fc1", nn::Linear(dim, 4 * dim));
  fc2 = mlp->register_module("fc2", nn::Linear(4 * dim, dim));
}

torch::Tensor ConvNeXtBlockImpl::forward(const torch::Tensor& input) {
  torch::Tensor x = conv_dw(input).permute({0, 2, 3, 1});
  x = fc2(torch::gelu(fc1(norm(x)))).permute({0, 3, 1, 2});
  x = x.mul(gamma.reshape({1, -1, 1, 1}));
  if (drop_path_ > 0.0 && is_training()) {
    // timm drop_path: per-sample keep mask scaled by 1/keep_prob (keep_prob in double).
    const double keep_prob = 1.0 - drop_path_;
    std::vector<int64_t> shape(x.dim(), 1);
    shape[0] = x.size(0);
    torch::Tensor mask = masks_->Keep(shape, keep_prob, x);
    if (keep_prob > 0.0) mask.div_(keep_prob);
    x = x * mask;
  }
  return x + input;
}

ConvNeXtImpl::ConvNeXtImpl(const ConvNeXtConfig& config) : config_(config) {
  const auto& depths = config.depths;
  const auto& dims = config.dims;
  if (depths.size() != 4 || dims.size() != 4) throw NativeError("ERR_INVALID_ARGUMENT", "ConvNeXt needs 4 depths and 4 dims");
  for (size_t i = 0; i < 4; ++i) {
    if (depths[i] < 1 || dims[i] < 1) throw NativeError("ERR_INVALID_ARGUMENT", "ConvNeXt depths and dims must be >= 1");
  }
  if (!(config.drop_rate >= 0.0 && config.drop_rate < 1.0) || !(config.drop_path_rate >= 0.0 && config.drop_path_rate < 1.0)) {
    throw NativeError("ERR_INVALID_ARGUMENT", "drop and drop-path rates must be in [0, 1)");
  }
  auto stem = register_module("stem", std::make_shared<nn::Module>());
  stem_conv = stem->register_module("0", nn::Conv2d(nn::Conv2dOptions(config.in_chans, dims[0], 4).stride(4).bias(true)));
  stem_norm = stem->register_module("1", LayerNorm2d(dims[0], 1e-6));

  // Rates as timm: float32 linspace(0, rate, sum(depths)), each value widened to double.
  int64_t total = 0;
  for (int64_t d : depths) total += d;
  torch::Tensor rates = torch::linspace(0.0, config.drop_path_rate, total, torch::kFloat32);
  auto stages = register_module("stages", std::make_shared<nn::Module>());
  int64_t k = 0;
  blocks.resize(4);
  for (int64_t i = 0; i < 4; ++i) {
    auto stage = stages->register_module(std::to_string(i), std::make_shared<nn::Module>());
    if (i > 0) {
      auto down = stage->register_module("downsample", std::make_shared<nn::Module>());
      down_norm.push_back(down->register_module("0", LayerNorm2d(dims[i - 1], 1e-6)));
      down_conv.push_back(down->register_module("1", nn::Conv2d(nn::Conv2dOptions(dims[i - 1], dims[i], 2).stride(2).bias(true))));
    } else {
      down_norm.push_back(nullptr);
      down_conv.push_back(nullptr);
    }
    auto seq = stage->register_module("blocks", std::make_shared<nn::Module>());
    for (int64_t j = 0; j < depths[i]; ++j, ++k) {
      double rate = static_cast<double>(rates[k].item<float>());
      blocks[i].push_back(seq->register_module(std::to_string(j), ConvNeXtBlock(dims[i], rate, config.ls_init_value, &masks_)));
    }
  }
  auto head = register_module("head", std::make_shared<nn::Module>());
  head_norm = head->register_module("norm", LayerNorm2d(dims[3], 1e-6));
  head_fc = head->register_module("fc", nn::Linear(dims[3], config.num_classes));
}

torch::Tensor ConvNeXtImpl::forward(const torch::Tensor& input) {
  torch::Tensor x = stem_norm(stem_conv(input));
  for (size_t i = 0; i < 4; ++i) {
    if (down_conv[i]) x = down_conv[i](down_norm[i](x));
    for (auto& b : blocks[i]) x = b(x);
  }
  // Head (head_norm_first False): AdaptiveMaxPool2d(1) → LayerNorm2d → flatten → Dropout → Linear.
  x = std::get<0>(torch::adaptive_max_pool2d(x, {1, 1}));
  x = head_norm(x).flatten(1);
  const double p = config_.drop_rate;
  if (p > 0.0 && is_training()) {
    // ATen's dropout on CPU: noise = bernoulli(1 - p) / (1 - p); x * noise.
    torch::Tensor noise = masks_.Keep(x.sizes(), 1.0 - p, x);
    noise.div_(1.0 - p);
    x = x * noise;
  }
  return head_fc(x);
}

void ConvNeXtImpl::InitWeights() {
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor p = item.value();
    if (name.size() >= 5 && name.compare(name.size() - 5, 5, "gamma") == 0) {
      p.fill_(config_.ls_init_value);
    } else if (p.dim() > 1) {
      p.normal_(0.0, 0.02).clamp_(-2.0, 2.0);  // trunc_normal_(std=.02, a=-2, b=2)
    } else if (name.size() >= 7 && name.compare(name.size() - 7, 7, ".weight") == 0) {
      p.fill_(1.0);  // the only 1-D weights are LayerNorm scales
    } else {
      p.zero_();
    }
  }
}

}  // namespace train
}  // namespace rsna
