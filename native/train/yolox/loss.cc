// YOLOX get_losses / get_assignments / get_in_boxes_info / dynamic_k_matching (ALGORITHMS.md §10.4),
// written with the same tensor operations in the same order as YOLOX 0.3.0 so that float32 values
// (costs, IoUs, top-k ties, loss sums) round the same way.
#include "train/yolox/loss.h"

namespace rsna {
namespace train {
namespace yolox {
namespace {

using torch::Tensor;
using torch::indexing::Slice;

struct LevelGeometry {
  Tensor x_shifts, y_shifts, strides;  // [1, anchors] each
};

// bboxes_iou(a, b, xyxy=False): pairwise IoU of centre/size boxes, [Na, Nb].
Tensor PairwiseIou(const Tensor& a, const Tensor& b) {
  Tensor a_xy = a.index({Slice(), torch::indexing::None, Slice(0, 2)});
  Tensor a_wh = a.index({Slice(), torch::indexing::None, Slice(2, 4)});
  Tensor tl = torch::max(a_xy - a_wh / 2, b.slice(1, 0, 2) - b.slice(1, 2, 4) / 2);
  Tensor br = torch::min(a_xy + a_wh / 2, b.slice(1, 0, 2) + b.slice(1, 2, 4) / 2);
  Tensor area_a = torch::prod(a.slice(1, 2, 4), 1);
  Tensor area_b = torch::prod(b.slice(1, 2, 4), 1);
  Tensor en = (tl < br).to(tl.scalar_type()).prod(2);
  Tensor area_i = torch::prod(br - tl, 2) * en;
  return area_i / (area_a.unsqueeze(1) + area_b - area_i);
}

// IOUloss(reduction none, loss_type iou): 1 − IoU² per row.
Tensor IouLoss(const Tensor& pred_in, const Tensor& target_in) {
  Tensor pred = pred_in.reshape({-1, 4}), target = target_in.reshape({-1, 4});
  Tensor tl = torch::max(pred.slice(1, 0, 2) - pred.slice(1, 2, 4) / 2, target.slice(1, 0, 2) - target.slice(1, 2, 4) / 2);
  Tensor br = torch::min(pred.slice(1, 0, 2) + pred.slice(1, 2, 4) / 2, target.slice(1, 0, 2) + target.slice(1, 2, 4) / 2);
  Tensor area_p = torch::prod(pred.slice(1, 2, 4), 1);
  Tensor area_g = torch::prod(target.slice(1, 2, 4), 1);
  Tensor en = (tl < br).to(tl.scalar_type()).prod(1);
  Tensor area_i = torch::prod(br - tl, 1) * en;
  Tensor area_u = area_p + area_g - area_i;
  Tensor iou = area_i / (area_u + 1e-16);
  return 1 - torch::pow(iou, 2);
}

// get_in_boxes_info: candidate anchors (centre inside some GT box or within 2.5 strides of its
// centre) and, for those, whether they satisfy both conditions per GT.
std::pair<Tensor, Tensor> InBoxesInfo(const Tensor& gt, const LevelGeometry& g, int64_t total, int64_t num_gt) {
  Tensor es = g.strides[0];
  Tensor xs = g.x_shifts[0] * es, ys = g.y_shifts[0] * es;
  Tensor xc = (xs + 0.5 * es).unsqueeze(0).repeat({num_gt, 1});
  Tensor yc = (ys + 0.5 * es).unsqueeze(0).repeat({num_gt, 1});
  Tensor cx = gt.select(1, 0), cy = gt.select(1, 1), w = gt.select(1, 2), h = gt.select(1, 3);
  Tensor l = (cx - 0.5 * w).unsqueeze(1).repeat({1, total});
  Tensor r = (cx + 0.5 * w).unsqueeze(1).repeat({1, total});
  Tensor t = (cy - 0.5 * h).unsqueeze(1).repeat({1, total});
  Tensor b = (cy + 0.5 * h).unsqueeze(1).repeat({1, total});
  Tensor in_boxes = torch::stack({xc - l, yc - t, r - xc, b - yc}, 2).amin(-1) > 0.0;
  Tensor in_boxes_all = in_boxes.sum(0) > 0;
  const double radius = 2.5;
  Tensor rs = radius * es.unsqueeze(0);
  Tensor cl = cx.unsqueeze(1).repeat({1, total}) - rs;
  Tensor cr = cx.unsqueeze(1).repeat({1, total}) + rs;
  Tensor ct = cy.unsqueeze(1).repeat({1, total}) - rs;
  Tensor cb = cy.unsqueeze(1).repeat({1, total}) + rs;
  Tensor in_centers = torch::stack({xc - cl, yc - ct, cr - xc, cb - yc}, 2).amin(-1) > 0.0;
  Tensor in_centers_all = in_centers.sum(0) > 0;
  Tensor anchor_mask = in_boxes_all | in_centers_all;
  Tensor both = in_boxes.index({Slice(), anchor_mask}) & in_centers.index({Slice(), anchor_mask});
  return {anchor_mask, both};
}

struct Assignment {
  Tensor gt_matched_classes, fg_mask, pred_ious, matched_gt_inds;
  int64_t num_fg = 0;
};

// get_assignments + dynamic_k_matching for one image (no gradient).
Assignment Assign(int64_t b, int64_t num_gt, int64_t total, const Tensor& gt_boxes, const Tensor& gt_classes,
                  const Tensor& box_preds, const LevelGeometry& geo, const Tensor& cls_preds, const Tensor& obj_preds,
                  int64_t num_classes, SimotaTrace* trace) {
  torch::NoGradGuard no_grad;
  auto [fg_mask, in_both] = InBoxesInfo(gt_boxes, geo, total, num_gt);
  Tensor boxes = box_preds.index({fg_mask});
  Tensor cls_ = cls_preds[b].index({fg_mask});
  Tensor obj_ = obj_preds[b].index({fg_mask});
  const int64_t n_in = boxes.size(0);
  Tensor ious = PairwiseIou(gt_boxes, boxes);
  Tensor gt_cls = torch::one_hot(gt_classes.to(torch::kInt64), num_classes).to(torch::kFloat32).unsqueeze(1).repeat({1, n_in, 1});
  Tensor ious_loss = -torch::log(ious + 1e-8);
  Tensor p = cls_.to(torch::kFloat32).unsqueeze(0).repeat({num_gt, 1, 1}).sigmoid_() *
             obj_.to(torch::kFloat32).unsqueeze(0).repeat({num_gt, 1, 1}).sigmoid_();
  Tensor cls_loss = torch::binary_cross_entropy(p.sqrt_(), gt_cls, {}, at::Reduction::None).sum(-1);
  Tensor cost = cls_loss + 3.0 * ious_loss + 100000.0 * (~in_both);

  // dynamic_k_matching
  Tensor matching = torch::zeros_like(cost, torch::kUInt8);
  const int64_t n_candidate_k = std::min<int64_t>(10, ious.size(1));
  Tensor topk_ious = std::get<0>(torch::topk(ious, n_candidate_k, 1));
  Tensor dynamic_ks = torch::clamp(topk_ious.sum(1).to(torch::kInt32), 1);
  std::vector<int64_t> ks(num_gt);
  for (int64_t g = 0; g < num_gt; g++) {
    ks[g] = dynamic_ks[g].item<int64_t>();
    Tensor pos = std::get<1>(torch::topk(cost[g], ks[g], -1, /*largest=*/false));
    matching[g].index_put_({pos}, 1);
  }
  Tensor anchor_matching_gt = matching.sum(0);
  if (anchor_matching_gt.max().item<int64_t>() > 1) {
    Tensor multi = anchor_matching_gt > 1;
    Tensor cost_argmin = std::get<1>(torch::min(cost.index({Slice(), multi}), 0));
    Tensor cols = multi.nonzero().squeeze(1);
    matching.index_put_({Slice(), cols}, 0);
    matching.index_put_({cost_argmin, cols}, 1);
  }
  Tensor fg_inboxes = matching.sum(0) > 0;
  Assignment a;
  a.num_fg = fg_inboxes.sum().item<int64_t>();
  Tensor candidates = trace ? fg_mask.nonzero().squeeze(1) : Tensor();
  fg_mask.index_put_({fg_mask.clone()}, fg_inboxes);
  a.fg_mask = fg_mask;
  a.matched_gt_inds = matching.index({Slice(), fg_inboxes}).argmax(0);
  a.gt_matched_classes = gt_classes.index({a.matched_gt_inds});
  a.pred_ious = (matching * ious).sum(0).index({fg_inboxes});
  if (trace) {
    trace->num_gt = num_gt;
    auto vec64 = [](const Tensor& t) {
      Tensor c = t.to(torch::kInt64).contiguous();
      return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
    };
    trace->candidates = vec64(candidates);
    trace->dynamic_k = ks;
    trace->fg_anchors = vec64(fg_mask.nonzero().squeeze(1));
    trace->matched_gt = vec64(a.matched_gt_inds);
    Tensor pi = a.pred_ious.contiguous();
    trace->pred_ious.assign(pi.data_ptr<float>(), pi.data_ptr<float>() + pi.numel());
    trace->cost = cost.clone();
    trace->ious = ious.clone();
  }
  return a;
}

}  // namespace

LossResult YoloxLoss(const std::vector<Tensor>& levels, const std::vector<int64_t>& strides, const Tensor& labels,
                     int64_t num_classes, bool use_l1, bool trace) {
  // get_output_and_grid per level: [B, H·W, 5 + C] with decoded centre/size, and the anchor grid.
  std::vector<Tensor> outs, xs, ys, ss, origin;
  for (size_t k = 0; k < levels.size(); k++) {
    const Tensor& o = levels[k];
    const int64_t B = o.size(0), n_ch = o.size(1), H = o.size(2), W = o.size(3);
    const int64_t stride = strides[k];
    Tensor out = o.view({B, 1, n_ch, H, W}).permute({0, 1, 3, 4, 2}).reshape({B, H * W, -1});
    auto mesh = torch::meshgrid({torch::arange(H), torch::arange(W)}, "ij");
    Tensor grid = torch::stack({mesh[1], mesh[0]}, 2).view({1, 1, H, W, 2}).to(o.scalar_type()).view({1, -1, 2});
    Tensor xy = (out.slice(2, 0, 2) + grid) * stride;
    Tensor wh = torch::exp(out.slice(2, 2, 4)) * stride;
    outs.push_back(torch::cat({xy, wh, out.slice(2, 4)}, 2));
    xs.push_back(grid.select(2, 0));
    ys.push_back(grid.select(2, 1));
    ss.push_back(torch::zeros({1, grid.size(1)}).fill_(stride).to(o.scalar_type()));
    if (use_l1) {
      origin.push_back(o.slice(1, 0, 4).view({B, 1, 4, H, W}).permute({0, 1, 3, 4, 2}).reshape({B, -1, 4}).clone());
    }
  }
  Tensor outputs = torch::cat(outs, 1);
  Tensor bbox_preds = outputs.slice(2, 0, 4);
  Tensor obj_preds = outputs.select(2, 4).unsqueeze(-1);
  Tensor cls_preds = outputs.slice(2, 5);
  Tensor nlabel = (labels.sum(2) > 0).sum(1);
  const int64_t total = outputs.size(1);
  LevelGeometry geo{torch::cat(xs, 1), torch::cat(ys, 1), torch::cat(ss, 1)};
  Tensor origin_preds = use_l1 ? torch::cat(origin, 1) : Tensor();

  std::vector<Tensor> cls_t, reg_t, l1_t, obj_t, fg_t;
  double num_fg = 0.0, num_gts = 0.0;
  LossResult res;
  const auto opts = outputs.options();
  for (int64_t b = 0; b < outputs.size(0); b++) {
    const int64_t num_gt = nlabel[b].item<int64_t>();
    num_gts += num_gt;
    Tensor cls_target, reg_target, l1_target, obj_target, fg_mask;
    if (num_gt == 0) {
      cls_target = torch::zeros({0, num_classes}, opts);
      reg_target = torch::zeros({0, 4}, opts);
      l1_target = torch::zeros({0, 4}, opts);
      obj_target = torch::zeros({total, 1}, opts);
      fg_mask = torch::zeros({total}, opts).to(torch::kBool);
      if (trace) res.simota.emplace_back();
    } else {
      Tensor gt_boxes = labels[b].slice(0, 0, num_gt).slice(1, 1, 5);
      Tensor gt_classes = labels[b].slice(0, 0, num_gt).select(1, 0);
      SimotaTrace tr;
      Assignment a = Assign(b, num_gt, total, gt_boxes, gt_classes, bbox_preds[b], geo, cls_preds, obj_preds, num_classes,
                            trace ? &tr : nullptr);
      if (trace) res.simota.push_back(std::move(tr));
      num_fg += static_cast<double>(a.num_fg);
      fg_mask = a.fg_mask;
      cls_target = torch::one_hot(a.gt_matched_classes.to(torch::kInt64), num_classes) * a.pred_ious.unsqueeze(-1);
      obj_target = fg_mask.unsqueeze(-1);
      reg_target = gt_boxes.index({a.matched_gt_inds});
      if (use_l1) {
        Tensor st = geo.strides[0].index({fg_mask}), xsh = geo.x_shifts[0].index({fg_mask}), ysh = geo.y_shifts[0].index({fg_mask});
        Tensor gt = gt_boxes.index({a.matched_gt_inds});
        l1_target = torch::zeros({a.num_fg, 4}, opts);
        l1_target.select(1, 0).copy_(gt.select(1, 0) / st - xsh);
        l1_target.select(1, 1).copy_(gt.select(1, 1) / st - ysh);
        l1_target.select(1, 2).copy_(torch::log(gt.select(1, 2) / st + 1e-8));
        l1_target.select(1, 3).copy_(torch::log(gt.select(1, 3) / st + 1e-8));
      }
    }
    cls_t.push_back(cls_target);
    reg_t.push_back(reg_target);
    obj_t.push_back(obj_target.to(outputs.scalar_type()));
    fg_t.push_back(fg_mask);
    if (use_l1) l1_t.push_back(l1_target);
  }
  Tensor cls_targets = torch::cat(cls_t, 0), reg_targets = torch::cat(reg_t, 0), obj_targets = torch::cat(obj_t, 0);
  Tensor fg_masks = torch::cat(fg_t, 0);
  res.num_fg = static_cast<int64_t>(num_fg);
  num_fg = std::max(num_fg, 1.0);
  Tensor loss_iou = IouLoss(bbox_preds.reshape({-1, 4}).index({fg_masks}), reg_targets).sum() / num_fg;
  Tensor loss_obj = torch::binary_cross_entropy_with_logits(obj_preds.reshape({-1, 1}), obj_targets, {}, {}, at::Reduction::None).sum() / num_fg;
  Tensor loss_cls = torch::binary_cross_entropy_with_logits(cls_preds.reshape({-1, num_classes}).index({fg_masks}), cls_targets, {}, {},
                                                            at::Reduction::None).sum() / num_fg;
  const double reg_weight = 5.0;
  Tensor loss = reg_weight * loss_iou + loss_obj + loss_cls;
  if (use_l1) {
    Tensor l1_targets = torch::cat(l1_t, 0);
    res.l1 = torch::l1_loss(origin_preds.reshape({-1, 4}).index({fg_masks}), l1_targets, at::Reduction::None).sum() / num_fg;
    loss = loss + res.l1;
  } else {
    res.l1 = torch::zeros({}, opts);
  }
  res.total = loss;
  res.iou = reg_weight * loss_iou;
  res.obj = loss_obj;
  res.cls = loss_cls;
  res.num_fg_per_gt = num_fg / std::max(num_gts, 1.0);
  res.decoded = outputs;
  return res;
}

}  // namespace yolox
}  // namespace train
}  // namespace rsna
