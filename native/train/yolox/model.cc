// YOLOX modules (yolox/models network_blocks, darknet, yolo_pafpn, yolo_head of YOLOX 0.3.0 as the
// original exp configures them, ALGORITHMS.md §2.1). Every module registers its children under the
// original attribute names, in the original order, so state_dict keys and order are the original's.
#include "train/yolox/model.h"

#include <cmath>
#include <memory>

namespace rsna {
namespace train {
namespace yolox {
namespace {

using torch::Tensor;
using torch::indexing::None;
using torch::indexing::Slice;

// Python 3 round() (half to even) for the depth multipliers.
int64_t PyRound(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

// A module with a one-tensor forward, so Sequential/Conv can hold BaseConv or DWConv alike.
struct Block : torch::nn::Module {
  virtual Tensor forward(const Tensor& x) = 0;
};
using BlockPtr = std::shared_ptr<Block>;

// BaseConv: Conv2d(bias=False, pad=(k−1)/2) → BatchNorm2d → SiLU.
struct BaseConv : Block {
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  BaseConv(int64_t in, int64_t out, int64_t k, int64_t stride, const YoloxConfig& c, int64_t groups = 1) {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k)
                                                         .stride(stride).padding((k - 1) / 2).groups(groups).bias(false)));
    bn = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNormOptions(out).eps(c.bn_eps).momentum(c.bn_momentum)));
  }
  Tensor forward(const Tensor& x) override { return torch::silu(bn(conv(x))); }
};

// DWConv: depthwise k×k BaseConv (`dconv`) then pointwise 1×1 BaseConv (`pconv`).
struct DWConv : Block {
  BlockPtr dconv, pconv;
  DWConv(int64_t in, int64_t out, int64_t k, int64_t stride, const YoloxConfig& c) {
    dconv = register_module("dconv", std::make_shared<BaseConv>(in, in, k, stride, c, in));
    pconv = register_module("pconv", std::make_shared<BaseConv>(in, out, 1, 1, c));
  }
  Tensor forward(const Tensor& x) override { return pconv->forward(dconv->forward(x)); }
};

// `Conv = DWConv if depthwise else BaseConv`.
BlockPtr MakeConv(int64_t in, int64_t out, int64_t k, int64_t stride, const YoloxConfig& c) {
  if (c.depthwise) return std::make_shared<DWConv>(in, out, k, stride, c);
  return std::make_shared<BaseConv>(in, out, k, stride, c);
}

// nn.Sequential: children "0", "1", ... applied in order.
struct Seq : Block {
  std::vector<BlockPtr> items;
  void Add(BlockPtr b) { items.push_back(register_module(std::to_string(items.size()), std::move(b))); }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (auto& b : items) y = b->forward(y);
    return y;
  }
};

struct Bottleneck : Block {
  BlockPtr conv1, conv2;
  bool use_add;
  Bottleneck(int64_t in, int64_t out, bool shortcut, double expansion, const YoloxConfig& c) {
    const int64_t hidden = static_cast<int64_t>(out * expansion);
    conv1 = register_module("conv1", std::make_shared<BaseConv>(in, hidden, 1, 1, c));
    conv2 = register_module("conv2", MakeConv(hidden, out, 3, 1, c));
    use_add = shortcut && in == out;
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = conv2->forward(conv1->forward(x));
    return use_add ? y + x : y;
  }
};

// CSPLayer: conv3(cat(m(conv1(x)), conv2(x))).
struct CSPLayer : Block {
  BlockPtr conv1, conv2, conv3;
  std::shared_ptr<Seq> m;
  CSPLayer(int64_t in, int64_t out, int64_t n, bool shortcut, const YoloxConfig& c) {
    const int64_t hidden = static_cast<int64_t>(out * 0.5);
    conv1 = register_module("conv1", std::make_shared<BaseConv>(in, hidden, 1, 1, c));
    conv2 = register_module("conv2", std::make_shared<BaseConv>(in, hidden, 1, 1, c));
    conv3 = register_module("conv3", std::make_shared<BaseConv>(2 * hidden, out, 1, 1, c));
    m = register_module("m", std::make_shared<Seq>());
    for (int64_t i = 0; i < n; i++) m->Add(std::make_shared<Bottleneck>(hidden, hidden, shortcut, 1.0, c));
  }
  Tensor forward(const Tensor& x) override {
    Tensor x1 = m->forward(conv1->forward(x));
    Tensor x2 = conv2->forward(x);
    return conv3->forward(torch::cat({x1, x2}, 1));
  }
};

// SPPBottleneck: conv1 → cat(x, maxpool 5/9/13 stride 1 same padding) → conv2 (BaseConv only).
struct SPPBottleneck : Block {
  BlockPtr conv1, conv2;
  SPPBottleneck(int64_t in, int64_t out, const YoloxConfig& c) {
    const int64_t hidden = in / 2;
    conv1 = register_module("conv1", std::make_shared<BaseConv>(in, hidden, 1, 1, c));
    conv2 = register_module("conv2", std::make_shared<BaseConv>(hidden * 4, out, 1, 1, c));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = conv1->forward(x);
    std::vector<Tensor> parts{y};
    for (int64_t k : {5, 9, 13}) parts.push_back(torch::max_pool2d(y, {k, k}, {1, 1}, {k / 2, k / 2}));
    return conv2->forward(torch::cat(parts, 1));
  }
};

// Focus: space-to-depth (top-left, bottom-left, top-right, bottom-right) then BaseConv.
struct Focus : Block {
  BlockPtr conv;
  Focus(int64_t in, int64_t out, int64_t k, const YoloxConfig& c) {
    conv = register_module("conv", std::make_shared<BaseConv>(in * 4, out, k, 1, c));
  }
  Tensor forward(const Tensor& x) override {
    auto s0 = Slice(0, None, 2), s1 = Slice(1, None, 2);
    Tensor tl = x.index({"...", s0, s0}), tr = x.index({"...", s0, s1});
    Tensor bl = x.index({"...", s1, s0}), br = x.index({"...", s1, s1});
    return conv->forward(torch::cat({tl, bl, tr, br}, 1));
  }
};

struct CSPDarknet : torch::nn::Module {
  BlockPtr stem;
  std::shared_ptr<Seq> dark2, dark3, dark4, dark5;
  explicit CSPDarknet(const YoloxConfig& c) {
    const int64_t bc = static_cast<int64_t>(c.width * 64);
    const int64_t bd = std::max<int64_t>(PyRound(c.depth * 3), 1);
    stem = register_module("stem", std::make_shared<Focus>(3, bc, 3, c));
    auto stage = [&](const char* name, int64_t in, int64_t out, int64_t n) {
      auto s = register_module(name, std::make_shared<Seq>());
      s->Add(MakeConv(in, out, 3, 2, c));
      s->Add(std::make_shared<CSPLayer>(out, out, n, true, c));
      return s;
    };
    dark2 = stage("dark2", bc, bc * 2, bd);
    dark3 = stage("dark3", bc * 2, bc * 4, bd * 3);
    dark4 = stage("dark4", bc * 4, bc * 8, bd * 3);
    dark5 = register_module("dark5", std::make_shared<Seq>());
    dark5->Add(MakeConv(bc * 8, bc * 16, 3, 2, c));
    dark5->Add(std::make_shared<SPPBottleneck>(bc * 16, bc * 16, c));
    dark5->Add(std::make_shared<CSPLayer>(bc * 16, bc * 16, bd, false, c));
  }
  std::vector<Tensor> forward(const Tensor& x) {
    Tensor d3 = dark3->forward(dark2->forward(stem->forward(x)));
    Tensor d4 = dark4->forward(d3);
    return {d3, d4, dark5->forward(d4)};
  }
};

Tensor Upsample2x(const Tensor& x) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
}

struct YOLOPAFPN : torch::nn::Module {
  std::shared_ptr<CSPDarknet> backbone;
  BlockPtr lateral_conv0, C3_p4, reduce_conv1, C3_p3, bu_conv2, C3_n3, bu_conv1, C3_n4;
  explicit YOLOPAFPN(const YoloxConfig& c) {
    const int64_t c0 = static_cast<int64_t>(256 * c.width), c1 = static_cast<int64_t>(512 * c.width),
                  c2 = static_cast<int64_t>(1024 * c.width);
    const int64_t n = PyRound(3 * c.depth);
    backbone = register_module("backbone", std::make_shared<CSPDarknet>(c));
    lateral_conv0 = register_module("lateral_conv0", std::make_shared<BaseConv>(c2, c1, 1, 1, c));
    C3_p4 = register_module("C3_p4", std::make_shared<CSPLayer>(static_cast<int64_t>(2 * 512 * c.width), c1, n, false, c));
    reduce_conv1 = register_module("reduce_conv1", std::make_shared<BaseConv>(c1, c0, 1, 1, c));
    C3_p3 = register_module("C3_p3", std::make_shared<CSPLayer>(static_cast<int64_t>(2 * 256 * c.width), c0, n, false, c));
    bu_conv2 = register_module("bu_conv2", MakeConv(c0, c0, 3, 2, c));
    C3_n3 = register_module("C3_n3", std::make_shared<CSPLayer>(static_cast<int64_t>(2 * 256 * c.width), c1, n, false, c));
    bu_conv1 = register_module("bu_conv1", MakeConv(c1, c1, 3, 2, c));
    C3_n4 = register_module("C3_n4", std::make_shared<CSPLayer>(static_cast<int64_t>(2 * 512 * c.width), c2, n, false, c));
  }
  std::vector<Tensor> forward(const Tensor& input) {
    auto f = backbone->forward(input);
    const Tensor &x2 = f[0], &x1 = f[1], &x0 = f[2];
    Tensor fpn_out0 = lateral_conv0->forward(x0);
    Tensor f_out0 = C3_p4->forward(torch::cat({Upsample2x(fpn_out0), x1}, 1));
    Tensor fpn_out1 = reduce_conv1->forward(f_out0);
    Tensor pan_out2 = C3_p3->forward(torch::cat({Upsample2x(fpn_out1), x2}, 1));
    Tensor pan_out1 = C3_n3->forward(torch::cat({bu_conv2->forward(pan_out2), fpn_out1}, 1));
    Tensor pan_out0 = C3_n4->forward(torch::cat({bu_conv1->forward(pan_out1), fpn_out0}, 1));
    return {pan_out2, pan_out1, pan_out0};
  }
};

struct YOLOXHead : torch::nn::Module {
  std::shared_ptr<Seq> cls_convs_list, reg_convs_list;  // ModuleLists of Sequential(Conv, Conv)
  torch::nn::ModuleList cls_preds, reg_preds, obj_preds, stems;
  std::vector<std::shared_ptr<Seq>> cls_convs, reg_convs;
  std::vector<torch::nn::Conv2d> cls_p, reg_p, obj_p;
  std::vector<BlockPtr> stem_v;
  explicit YOLOXHead(const YoloxConfig& c) {
    const int64_t hidden = static_cast<int64_t>(256 * c.width);
    const int64_t in_ch[3] = {256, 512, 1024};
    cls_convs_list = register_module("cls_convs", std::make_shared<Seq>());
    reg_convs_list = register_module("reg_convs", std::make_shared<Seq>());
    cls_preds = register_module("cls_preds", torch::nn::ModuleList());
    reg_preds = register_module("reg_preds", torch::nn::ModuleList());
    obj_preds = register_module("obj_preds", torch::nn::ModuleList());
    stems = register_module("stems", torch::nn::ModuleList());
    for (int k = 0; k < 3; k++) {
      auto stem = std::make_shared<BaseConv>(static_cast<int64_t>(in_ch[k] * c.width), hidden, 1, 1, c);
      stems->push_back(stem);
      stem_v.push_back(stem);
      for (auto* lists : {&cls_convs, &reg_convs}) {
        auto s = std::make_shared<Seq>();
        s->Add(MakeConv(hidden, hidden, 3, 1, c));
        s->Add(MakeConv(hidden, hidden, 3, 1, c));
        lists->push_back(s);
        (lists == &cls_convs ? cls_convs_list : reg_convs_list)->Add(s);
      }
      auto pred = [&](int64_t out) { return torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, out, 1)); };
      cls_p.push_back(pred(c.num_classes));
      reg_p.push_back(pred(4));
      obj_p.push_back(pred(1));
      cls_preds->push_back(cls_p.back());
      reg_preds->push_back(reg_p.back());
      obj_preds->push_back(obj_p.back());
    }
  }
  std::vector<Tensor> forward(const std::vector<Tensor>& xin) {
    std::vector<Tensor> out;
    for (size_t k = 0; k < xin.size(); k++) {
      Tensor x = stem_v[k]->forward(xin[k]);
      Tensor cls_out = cls_p[k](cls_convs[k]->forward(x));
      Tensor reg_feat = reg_convs[k]->forward(x);
      out.push_back(torch::cat({reg_p[k](reg_feat), obj_p[k](reg_feat), cls_out}, 1));
    }
    return out;
  }
};

void CollectState(torch::nn::Module& m, const std::string& prefix, bool with_buffers,
                  std::vector<std::pair<std::string, Tensor>>& out) {
  for (auto& p : m.named_parameters(false)) {
    if (p.value().defined()) out.emplace_back(prefix + p.key(), p.value());
  }
  if (with_buffers) {
    for (auto& b : m.named_buffers(false)) {
      if (b.value().defined()) out.emplace_back(prefix + b.key(), b.value());
    }
  }
  for (auto& ch : m.named_children()) CollectState(*ch.value(), prefix + ch.key() + ".", with_buffers, out);
}

}  // namespace

YoloxModelImpl::YoloxModelImpl(const YoloxConfig& cfg) : cfg_(cfg) {
  backbone_ = register_module("backbone", std::make_shared<YOLOPAFPN>(cfg)).get();
  head_ = register_module("head", std::make_shared<YOLOXHead>(cfg)).get();
}

HeadOutputs YoloxModelImpl::ForwardLevels(const torch::Tensor& images) {
  auto feats = static_cast<YOLOPAFPN*>(backbone_)->forward(images);
  return HeadOutputs{static_cast<YOLOXHead*>(head_)->forward(feats)};
}

torch::Tensor YoloxModelImpl::ForwardRaw(const torch::Tensor& images) {
  HeadOutputs h = ForwardLevels(images);
  std::vector<Tensor> flat;
  for (auto& o : h.levels) {
    Tensor s = torch::cat({o.slice(1, 0, 4), o.slice(1, 4).sigmoid()}, 1);
    flat.push_back(s.flatten(2));
  }
  return torch::cat(flat, 2).permute({0, 2, 1}).contiguous();
}

void YoloxModelImpl::InitializeBiases(double prior) {
  torch::NoGradGuard ng;
  auto* head = static_cast<YOLOXHead*>(head_);
  const double v = -std::log((1 - prior) / prior);
  for (auto& c : head->cls_p) c->bias.fill_(v);
  for (auto& c : head->obj_p) c->bias.fill_(v);
}

std::vector<std::pair<std::string, torch::Tensor>> StateEntries(torch::nn::Module& m) {
  std::vector<std::pair<std::string, Tensor>> out;
  CollectState(m, "", true, out);
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> FloatStateEntries(torch::nn::Module& m) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& e : StateEntries(m)) {
    if (e.second.is_floating_point()) out.push_back(e);
  }
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> ParameterEntries(torch::nn::Module& m) {
  std::vector<std::pair<std::string, Tensor>> out;
  CollectState(m, "", false, out);
  return out;
}

ParamGroups YoloxParamGroups(torch::nn::Module& root) {
  ParamGroups g;
  for (auto& item : root.named_modules("", true)) {
    const std::string& name = item.key();
    torch::nn::Module& mod = *item.value();
    auto own = mod.named_parameters(false);
    const std::string dot = name.empty() ? "" : name + ".";
    if (auto* b = own.find("bias"); b && b->defined()) g.biases.emplace_back(dot + "bias", *b);
    const bool is_bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(&mod) != nullptr || name.find("bn") != std::string::npos;
    auto* w = own.find("weight");
    if (is_bn) {
      if (w && w->defined()) g.bn_weights.emplace_back(dot + "weight", *w);
    } else if (w && w->defined()) {
      g.weights.emplace_back(dot + "weight", *w);
    }
  }
  return g;
}

}  // namespace yolox
}  // namespace train
}  // namespace rsna
