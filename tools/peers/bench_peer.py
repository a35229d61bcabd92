#!/usr/bin/python3
"""Benchmark peer of rsna-mammo: the original pipeline's algorithms in Python, with the libraries the
original used (pydicom + GDCM in place of dicomsdl, numpy, OpenCV, PyTorch), written for this project
from docs/ALGORITHMS.md (section numbers cited below). No code of the original is copied.

Run by the bench harness (lib/bench/peer.ts) with Debian's /usr/bin/python3:
    bench_peer.py --job JOB.json      -> one JSON line per job on stdout (timings, outputs, peak RSS)
    bench_peer.py --selfcheck SHARED  -> checks this peer against the goldens in SHARED/golden
Thread control comes from the environment (OMP_NUM_THREADS etc., set by the harness) and the job's
"threads" (torch.set_num_threads, cv2.setNumThreads).
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import cv2
import torch
import torch.nn as nn
import torch.nn.functional as F
import pydicom
from pydicom.pixel_data_handlers import gdcm_handler, numpy_handler
import gdcm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lockstep_gate import gate  # noqa: E402

gdcm.Trace.WarningOff()  # JP2-wrapped RSNA streams make GDCM warn once per file

# GDCM decodes the compressed syntaxes; numpy the native ones (as dicomsdl would, §1.2.3).
pydicom.config.pixel_data_handlers = [gdcm_handler, numpy_handler]

YOLOX_SIZE = 416            # §2.1.1
YOLOX_PAD = 114.0           # §2.2.4
CONF_THRES = 0.5            # §2.1.2
AREA_PCT_THRES = 0.04       # §2.5.6, §2.6.6
MODEL_H, MODEL_W = 2048, 1024  # §5.1
MEAN_255 = (123.675, 116.28, 103.53)  # §3.4
STD_255 = (58.395, 57.12, 57.375)


# ---------------------------------------------------------------- memory (per stage peak RSS)
def reset_peak_rss():
    """Resets the kernel's peak-RSS mark (VmHWM) so the next reading covers only what follows."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def proc_status_kb(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return None


# ---------------------------------------------------------------- §1 decode and metadata
def decode_int16(path):
    """§1.2.3: stored values of frame 0 cast to int16 with astype (wraps values >= 32768)."""
    ds = pydicom.dcmread(path)
    if int(ds.get('SamplesPerPixel', 1)) != 1:
        raise RuntimeError(f'{path}: SamplesPerPixel != 1')
    arr = ds.pixel_array
    if arr.ndim == 3:  # multi-frame: frame 0 only (§1.1.2)
        arr = arr[0]
    return ds, arr.astype(np.int16)


def _float_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)) or type(value).__name__ == 'MultiValue':
        return [float(v) for v in value]
    return [float(value)]


def window_meta(ds):
    """§1.3: window lists (index 0 used), VOI LUT function, MONOCHROME1 flag. CPU path: float64."""
    try:
        centers = _float_list(ds.get('WindowCenter'))
        widths = _float_list(ds.get('WindowWidth'))
    except (TypeError, ValueError):
        centers, widths = [], []
    if not centers or not widths:
        centers, widths = [], []
    func = ds.get('VOILUTFunction')
    func = 'LINEAR' if func is None else str(func).upper()
    invert = ds.get('PhotometricInterpretation') == 'MONOCHROME1'
    return {'centers': centers, 'widths': widths, 'func': func, 'invert': invert}


def min_max_scale(x):
    """§1.5 on an int16 tensor: int16 subtraction, float32 true division."""
    mx, mn = x.max(), x.min()
    if mx > mn:
        return (x - mn) / (mx - mn)
    return x - mn


def apply_window(x, center, width, func):
    """§1.4 torch backend on a float32 tensor; s and b computed in double."""
    assert width > 0
    if func == 'LINEAR':
        if width < 1:
            raise ValueError('LINEAR window needs width >= 1')
        c, w = center - 0.5, width - 1.0
        s = 255.0 / w
        b = (-c / w + 0.5) * 255.0
        return torch.clamp(x * s + b, 0, 255)
    if func == 'LINEAR_EXACT':
        s = 255.0 / width
        b = (-center / width + 0.5) * 255.0
        return torch.clamp(x * s + b, 0, 255)
    if func == 'SIGMOID':
        return 255.0 / (1 + torch.exp((x - center) * (-4.0 / width)))
    raise ValueError(f'unsupported VOILUTFunction {func}')


# ---------------------------------------------------------------- §2.2 detector input
def resize_bilinear(img2d, scale):
    """§2.2.3: torch bilinear, align_corners False, size floor(in*scale) (recompute_scale_factor)."""
    return F.interpolate(img2d[None, None], scale_factor=scale, mode='bilinear',
                         align_corners=False, recompute_scale_factor=True)[0, 0]


def detector_input(x16, invert):
    """§2.2.1-2.2.5: returns (the (1,3,416,416) float32 input, the resized h'xw' image, r)."""
    full = min_max_scale(torch.from_numpy(x16)) * 255
    if invert:
        full = 255 - full
    h, w = x16.shape
    r = min(YOLOX_SIZE / h, YOLOX_SIZE / w)
    resized = resize_bilinear(full, r)
    canvas = torch.full((YOLOX_SIZE, YOLOX_SIZE), YOLOX_PAD, dtype=torch.float32)
    canvas[:resized.shape[0], :resized.shape[1]] = resized
    return canvas[None, None].expand(1, 3, YOLOX_SIZE, YOLOX_SIZE).contiguous(), resized, r


# ---------------------------------------------------------------- §2.6 Otsu fallback
def otsu_roi(resized, r, full_h, full_w):
    """§2.6 on the resized float image; returns (box [x0,y0,x1,y1] at full resolution, area_pct) or None."""
    img = resized.to(torch.uint8).numpy().copy()
    upper = np.percentile(img, 95)
    img[img > upper] = img.min()
    blur = cv2.GaussianBlur(img, (5, 5), 0)
    _, binary = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dilated = cv2.dilate(binary, np.ones((3, 3), np.uint8), iterations=1)
    contours, _ = cv2.findContours(dilated, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if len(contours) == 0:
        return None
    areas = [cv2.contourArea(c) for c in contours]
    best = int(np.argmax(areas))
    h, w = img.shape
    area_pct = areas[best] / (h * w)
    x, y, bw, bh = cv2.boundingRect(contours[best])
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + bw, w), min(y + bh, h)
    box = [min(max(int(x0 / r), 0), full_w), min(max(int(y0 / r), 0), full_h),
           min(max(int(x1 / r), 0), full_w), min(max(int(y1 / r), 0), full_h)]
    if area_pct < AREA_PCT_THRES:
        return None
    return box, area_pct


# ---------------------------------------------------------------- §2.3-2.5 YOLOX box selection
def yolox_select(raw, r, full_h, full_w):
    """§2.4-2.5 on the (3549,6) raw output: argmax of obj*cls among score >= 0.5 (NMS keeps the top box)."""
    raw = raw.reshape(-1, 6).double()
    grids, strides = [], []
    for size, stride in ((52, 8), (26, 16), (13, 13 * 0 + 32)):
        ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing='ij')
        grids.append(torch.stack((xs, ys), 2).reshape(-1, 2))
        strides.append(torch.full((size * size, 1), stride))
    grid = torch.cat(grids).double()
    stride = torch.cat(strides).double()
    cxy = (raw[:, :2] + grid) * stride
    wh = torch.exp(raw[:, 2:4]) * stride
    score = raw[:, 4] * raw[:, 5]
    if not bool((score >= CONF_THRES).any()):
        return None
    i = int(torch.argmax(torch.where(score >= CONF_THRES, score, torch.full_like(score, -1))))
    x0, y0 = (cxy[i] - wh[i] / 2).tolist()
    x1, y1 = (cxy[i] + wh[i] / 2).tolist()
    box = [min(max(int(x0 / r), 0), full_w), min(max(int(y0 / r), 0), full_h),
           min(max(int(x1 / r), 0), full_w), min(max(int(y1 / r), 0), full_h)]
    area_pct = (box[2] - box[0]) * (box[3] - box[1]) / (full_h * full_w)
    return (box, area_pct) if area_pct >= AREA_PCT_THRES else None


# ---------------------------------------------------------------- §2.8, §3.1 classifier input
def classifier_input(x16, box, meta):
    """§2.8 crop of the raw values, §3.1.1 window (index 0) or min-max, §3.1.2 invert, §3.1.3 resize_and_pad,
    §3.1.4 uint8 truncation. Returns the (2048,1024) uint8 image (the 3 channels are identical)."""
    x0, y0, x1, y1 = box
    crop = torch.from_numpy(np.ascontiguousarray(x16[y0:y1, x0:x1]))
    if meta['centers']:
        y = apply_window(crop.float(), meta['centers'][0], meta['widths'][0], meta['func'])
    else:
        y = min_max_scale(crop) * 255
    if meta['invert']:
        y = 255 - y
    h, w = y.shape
    r = min(MODEL_H / h, MODEL_W / w)
    resized = resize_bilinear(y.float(), r)
    rh, rw = resized.shape
    canvas = torch.zeros((MODEL_H, MODEL_W), dtype=torch.float32)
    top, left = (MODEL_H - rh) // 2, (MODEL_W - rw) // 2
    canvas[top:top + rh, left:left + rw] = resized
    return canvas.to(torch.uint8)


def png_roundtrip(u8, path):
    """§3.1.4-3.1.5: 3-channel PNG written and read back with OpenCV, to a (1,3,H,W) float32 tensor."""
    cv2.imwrite(path, np.repeat(u8.numpy()[:, :, None], 3, axis=2))
    back = cv2.imread(path)
    return torch.from_numpy(back).permute(2, 0, 1)[None].float()


# ---------------------------------------------------------------- YOLOX-nano (§2.1), for the checkpoint keys
class BaseConv(nn.Module):
    def __init__(self, cin, cout, k, stride, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class DWConv(nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.dconv = BaseConv(cin, cin, k, stride, groups=cin)
        self.pconv = BaseConv(cin, cout, 1, 1)

    def forward(self, x):
        return self.pconv(self.dconv(x))


class Bottleneck(nn.Module):
    def __init__(self, cin, cout, shortcut):
        super().__init__()
        self.conv1 = BaseConv(cin, cout, 1, 1)
        self.conv2 = DWConv(cout, cout, 3, 1)
        self.use_add = shortcut and cin == cout

    def forward(self, x):
        y = self.conv2(self.conv1(x))
        return y + x if self.use_add else y


class CSPLayer(nn.Module):
    def __init__(self, cin, cout, n, shortcut=True):
        super().__init__()
        hidden = cout // 2
        self.conv1 = BaseConv(cin, hidden, 1, 1)
        self.conv2 = BaseConv(cin, hidden, 1, 1)
        self.conv3 = BaseConv(2 * hidden, cout, 1, 1)
        self.m = nn.Sequential(*[Bottleneck(hidden, hidden, shortcut) for _ in range(n)])

    def forward(self, x):
        return self.conv3(torch.cat((self.m(self.conv1(x)), self.conv2(x)), 1))


class SPPBottleneck(nn.Module):
    def __init__(self, cin, cout, kernels=(5, 9, 13)):
        super().__init__()
        hidden = cin // 2
        self.conv1 = BaseConv(cin, hidden, 1, 1)
        self.m = nn.ModuleList([nn.MaxPool2d(k, 1, k // 2) for k in kernels])
        self.conv2 = BaseConv(hidden * (len(kernels) + 1), cout, 1, 1)

    def forward(self, x):
        x = self.conv1(x)
        return self.conv2(torch.cat([x] + [m(x) for m in self.m], 1))


class Focus(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = BaseConv(cin * 4, cout, k, 1)

    def forward(self, x):
        return self.conv(torch.cat((x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]), 1))


class CSPDarknet(nn.Module):
    def __init__(self, c=16, n=1):
        super().__init__()
        self.stem = Focus(3, c, 3)
        self.dark2 = nn.Sequential(DWConv(c, 2 * c, 3, 2), CSPLayer(2 * c, 2 * c, n))
        self.dark3 = nn.Sequential(DWConv(2 * c, 4 * c, 3, 2), CSPLayer(4 * c, 4 * c, 3 * n))
        self.dark4 = nn.Sequential(DWConv(4 * c, 8 * c, 3, 2), CSPLayer(8 * c, 8 * c, 3 * n))
        self.dark5 = nn.Sequential(DWConv(8 * c, 16 * c, 3, 2), SPPBottleneck(16 * c, 16 * c),
                                   CSPLayer(16 * c, 16 * c, n, shortcut=False))

    def forward(self, x):
        x3 = self.dark3(self.dark2(self.stem(x)))
        x4 = self.dark4(x3)
        return x3, x4, self.dark5(x4)


class PAFPN(nn.Module):
    def __init__(self, c=(64, 128, 256)):
        super().__init__()
        self.backbone = CSPDarknet()
        self.up = nn.Upsample(scale_factor=2, mode='nearest')
        self.lateral_conv0 = BaseConv(c[2], c[1], 1, 1)
        self.C3_p4 = CSPLayer(2 * c[1], c[1], 1, False)
        self.reduce_conv1 = BaseConv(c[1], c[0], 1, 1)
        self.C3_p3 = CSPLayer(2 * c[0], c[0], 1, False)
        self.bu_conv2 = DWConv(c[0], c[0], 3, 2)
        self.C3_n3 = CSPLayer(2 * c[0], c[1], 1, False)
        self.bu_conv1 = DWConv(c[1], c[1], 3, 2)
        self.C3_n4 = CSPLayer(2 * c[1], c[2], 1, False)

    def forward(self, x):
        x3, x4, x5 = self.backbone(x)
        top0 = self.lateral_conv0(x5)
        p4 = self.C3_p4(torch.cat((self.up(top0), x4), 1))
        top1 = self.reduce_conv1(p4)
        out3 = self.C3_p3(torch.cat((self.up(top1), x3), 1))
        out4 = self.C3_n3(torch.cat((self.bu_conv2(out3), top1), 1))
        out5 = self.C3_n4(torch.cat((self.bu_conv1(out4), top0), 1))
        return out3, out4, out5


class YoloxHead(nn.Module):
    def __init__(self, cins=(64, 128, 256), c=64):
        super().__init__()
        self.stems = nn.ModuleList([BaseConv(ci, c, 1, 1) for ci in cins])
        self.cls_convs = nn.ModuleList([nn.Sequential(DWConv(c, c, 3, 1), DWConv(c, c, 3, 1)) for _ in cins])
        self.reg_convs = nn.ModuleList([nn.Sequential(DWConv(c, c, 3, 1), DWConv(c, c, 3, 1)) for _ in cins])
        self.cls_preds = nn.ModuleList([nn.Conv2d(c, 1, 1) for _ in cins])
        self.reg_preds = nn.ModuleList([nn.Conv2d(c, 4, 1) for _ in cins])
        self.obj_preds = nn.ModuleList([nn.Conv2d(c, 1, 1) for _ in cins])

    def forward(self, feats):
        outs = []
        for k, x in enumerate(feats):
            x = self.stems[k](x)
            reg = self.reg_convs[k](x)
            cls = self.cls_preds[k](self.cls_convs[k](x))
            outs.append(torch.cat((self.reg_preds[k](reg), self.obj_preds[k](reg).sigmoid(), cls.sigmoid()), 1))
        # §2.3.1: (1, 3549, 6), level 8 first, row-major inside a level
        return torch.cat([o.flatten(start_dim=2) for o in outs], 2).permute(0, 2, 1)


class YoloxNano(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = PAFPN()
        self.head = YoloxHead()

    def forward(self, x):
        return self.head(self.backbone(x))


def load_yolox(path):
    model = YoloxNano()
    model.load_state_dict(torch.load(path, map_location='cpu')['model'])
    return model.eval()


# ---------------------------------------------------------------- ConvNeXt (§4.2) and the ensemble (§4.4)
class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        return F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias,
                            self.eps).permute(0, 3, 1, 2)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = nn.Linear(c, 4 * c)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(4 * c, c)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv_dw = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = nn.LayerNorm(c, eps=1e-6)
        self.mlp = Mlp(c)
        self.gamma = nn.Parameter(torch.ones(c))

    def forward(self, x):
        y = self.mlp(self.norm(self.conv_dw(x).permute(0, 2, 3, 1))).permute(0, 3, 1, 2)
        return x + y.mul(self.gamma.reshape(1, -1, 1, 1))


class Stage(nn.Module):
    def __init__(self, cin, cout, depth, first):
        super().__init__()
        self.downsample = nn.Identity() if first else nn.Sequential(LayerNorm2d(cin, eps=1e-6),
                                                                    nn.Conv2d(cin, cout, 2, 2))
        self.blocks = nn.Sequential(*[Block(cout) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(self.downsample(x))


class Head(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = LayerNorm2d(c, eps=1e-6)
        self.fc = nn.Linear(c, 1)

    def forward(self, x):
        return self.fc(self.norm(F.adaptive_max_pool2d(x, 1)).flatten(1))


class ConvNeXt(nn.Module):
    def __init__(self, depths, dims):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 4, 4), LayerNorm2d(dims[0], eps=1e-6))
        self.stages = nn.Sequential(*[Stage(dims[max(i - 1, 0)], dims[i], depths[i], i == 0) for i in range(4)])
        self.head = Head(dims[3])

    def forward(self, x):
        return self.head(self.stages(self.stem(x)))


def convnext_weights(path):
    """§4.3: the EMA weights of a timm checkpoint (a `module.` prefix stripped)."""
    ckpt = torch.load(path, map_location='cpu')
    sd = ckpt.get('state_dict_ema') or ckpt.get('state_dict') or ckpt
    return {k[7:] if k.startswith('module.') else k: v for k, v in sd.items()}


def load_convnext(path):
    sd = convnext_weights(path)
    depths = [1 + max([int(k.split('.')[3]) for k in sd if k.startswith(f'stages.{s}.blocks.')]) for s in range(4)]
    dims = [int(sd[f'stages.{s}.blocks.0.gamma'].shape[0]) for s in range(4)]
    model = ConvNeXt(depths, dims)
    model.load_state_dict(sd)
    return model.eval()


class Ensemble(nn.Module):
    """§4.4: normalize inside, per fold sigmoid(logit[:,0]), stacked to (B, folds)."""
    def __init__(self, paths):
        super().__init__()
        self.folds = nn.ModuleList([load_convnext(p) for p in paths])
        self.register_buffer('mean', torch.tensor(MEAN_255, dtype=torch.float32).reshape(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor(STD_255, dtype=torch.float32).reshape(1, 3, 1, 1))

    def forward(self, x):
        x = (x - self.mean) / self.std
        return torch.stack([torch.sigmoid(m(x)[:, 0]) for m in self.folds], 1)


# ---------------------------------------------------------------- deterministic synthetic tensors
def lowbias32(u):
    """The hash of golden/preprocess/README.md (synthetic inputs), on a uint64 numpy array."""
    m = np.uint64(0xFFFFFFFF)
    u = u & m
    u ^= u >> np.uint64(16)
    u = (u * np.uint64(0x7feb352d)) & m
    u ^= u >> np.uint64(15)
    u = (u * np.uint64(0x846ca68b)) & m
    u ^= u >> np.uint64(16)
    return u


def synth_u8(shape, seed):
    n = int(np.prod(shape))
    idx = (np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF))
    return (lowbias32(idx) >> np.uint64(24)).astype(np.uint8).reshape(shape)


# ---------------------------------------------------------------- stages (each: setup(item) -> run() -> output)
def sha256(arr):
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()


def write_output(out_dir, item_id, arr):
    if not out_dir:
        return None
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, item_id.replace('/', '_') + '.bin')
    np.ascontiguousarray(arr).tofile(path)
    return path


def roi_box(x16, meta):
    """Otsu box of the image, or the full frame (§2.7) — the box the crop stages use."""
    _, resized, r = detector_input(x16, meta['invert'])
    found = otsu_roi(resized, r, *x16.shape)
    return found[0] if found else [0, 0, x16.shape[1], x16.shape[0]]


_MODEL_CACHE = {}


class Models:
    """The job's models, loaded on first use and kept for later jobs of the same batch."""
    def __init__(self, job):
        self.job = job

    def _cached(self, key, load):
        if key not in _MODEL_CACHE:
            _MODEL_CACHE[key] = load()
        return _MODEL_CACHE[key]

    def yolox(self):
        path = self.job['models']['yolox']
        return self._cached(('yolox', path), lambda: load_yolox(path))

    def ensemble(self):
        folds = tuple(self.job['models']['folds'])
        return self._cached(('ensemble',) + folds, lambda: Ensemble(list(folds)))


def stage_decode(item, models, out_dir):
    path = item['dicom']

    def run():
        return decode_int16(path)[1]

    def output(x16):
        return {'sha256': sha256(x16.astype('<i2')), 'rows': int(x16.shape[0]), 'cols': int(x16.shape[1])}
    return run, output


def stage_detector_input(item, models, out_dir):
    ds, x16 = decode_int16(item['dicom'])
    invert = window_meta(ds)['invert']

    def run():
        return detector_input(x16, invert)

    def output(res):
        chan0 = res[0][0, 0].numpy()
        write_output(out_dir, item['id'], chan0)
        return {'sha256': sha256(chan0), 'resized': list(res[1].shape), 'ratio': res[2]}
    return run, output


def stage_otsu(item, models, out_dir):
    ds, x16 = decode_int16(item['dicom'])
    _, resized, r = detector_input(x16, window_meta(ds)['invert'])

    def run():
        return otsu_roi(resized, r, *x16.shape)

    def output(found):
        return {'box': found[0] if found else None, 'area_pct': found[1] if found else None}
    return run, output


def stage_classifier_input(item, models, out_dir):
    ds, x16 = decode_int16(item['dicom'])
    meta = window_meta(ds)
    box = item.get('box') or roi_box(x16, meta)

    def run():
        return classifier_input(x16, box, meta)

    def output(u8):
        arr = u8.numpy()
        write_output(out_dir, item['id'], arr)
        return {'sha256': sha256(arr), 'box': box}
    return run, output


def stage_yolox(item, models, out_dir):
    model = models.yolox()
    ds, x16 = decode_int16(item['dicom'])
    x = detector_input(x16, window_meta(ds)['invert'])[0]

    def run():
        with torch.no_grad():
            return model(x)

    def output(raw):
        arr = raw[0].numpy()
        write_output(out_dir, item['id'], arr)
        return {'sha256': sha256(arr), 'max_score': float((raw[0, :, 4] * raw[0, :, 5]).max())}
    return run, output


def stage_ensemble(item, models, out_dir):
    model = models.ensemble()
    h, w = item.get('height', MODEL_H), item.get('width', MODEL_W)
    u8 = synth_u8((h, w), int(item['seed']))  # grayscale replicated to 3 channels, like the PNGs (§3.1.4)
    x = torch.from_numpy(u8).float()[None, None].expand(1, 3, h, w).contiguous()

    def run():
        with torch.no_grad():
            return model(x)

    def output(probs):
        p = probs[0].tolist()
        return {'probs': p, 'mean': float(np.mean(p))}
    return run, output


def e2e_one(path, models, tmp_png):
    """§5.6.4-5.6.6 for one image: decode, YOLOX (Otsu / full-frame fallbacks), crop, window,
    resize_and_pad, PNG round trip, ensemble, mean over folds."""
    ds, x16 = decode_int16(path)
    meta = window_meta(ds)
    x, resized, r = detector_input(x16, meta['invert'])
    with torch.no_grad():
        raw = models.yolox()(x)
    found = yolox_select(raw[0], r, *x16.shape)
    method = 'yolox'
    if found is None:
        found, method = otsu_roi(resized, r, *x16.shape), 'otsu'
    if found is None:
        box, method = [0, 0, x16.shape[1], x16.shape[0]], 'full'
    else:
        box = found[0]
    u8 = classifier_input(x16, box, meta)
    t = png_roundtrip(u8, tmp_png)
    with torch.no_grad():
        probs = models.ensemble()(t)
    probs = np.nan_to_num(probs[0].numpy())
    return {'box': box, 'method': method, 'probs': probs.tolist(), 'mean': float(probs.mean())}


def stage_e2e(item, models, out_dir):
    models.yolox(), models.ensemble()
    png_dir = out_dir or '/tmp'
    os.makedirs(png_dir, exist_ok=True)
    tmp_png = os.path.join(png_dir, f'peer-{os.getpid()}.png')

    def run():
        return e2e_one(item['dicom'], models, tmp_png)
    return run, lambda res: res


def _single_threaded():
    torch.set_num_threads(1)
    cv2.setNumThreads(1)


def _preprocess_one(path):
    ds, x16 = decode_int16(path)
    meta = window_meta(ds)
    box = roi_box(x16, meta)
    return sha256(classifier_input(x16, box, meta).numpy())


def stage_sweep(item, models, out_dir):
    """Decode + detector input + Otsu + classifier input for N files; with threads > 1 a process pool
    of that size, as the original spread images over joblib workers (§5.6.2)."""
    paths, workers = item['dicoms'], int(item.get('workers', 1))
    _preprocess_one(paths[0])  # first-call costs (lazy imports, allocator) outside the timing
    pool = None
    if workers > 1:
        # 'spawn' like joblib's loky workers (fork after OpenMP has run can hang); one thread each.
        import multiprocessing
        pool = multiprocessing.get_context('spawn').Pool(workers, initializer=_single_threaded)
        pool.map(_preprocess_one, paths[:1] * workers)

    def run():
        return pool.map(_preprocess_one, paths, chunksize=1) if pool else [_preprocess_one(p) for p in paths]
    return run, lambda hashes: {'sha256': hashes}


STAGES = {
    'decode': stage_decode, 'detector_input': stage_detector_input, 'otsu_roi': stage_otsu,
    'classifier_input': stage_classifier_input, 'yolox': stage_yolox, 'ensemble': stage_ensemble,
    'e2e': stage_e2e, 'sweep': stage_sweep,
}


def run_job(job):
    threads = int(job.get('threads', 1))
    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    models = Models(job)
    stage = STAGES[job['stage']]
    out_dir = job.get('out_dir')
    results = []
    peak_kb, base_kb = 0, None
    for item in job['items']:
        gate()  # the item's setup and warmup run alone too
        run, output = stage(item, models, out_dir)
        base = proc_status_kb('VmRSS')
        base_kb = base if base_kb is None else max(base_kb, base)
        for _ in range(int(job.get('warmup', 1))):
            run()
        reset_peak_rss()
        times, cpu, res = [], [], None
        for _ in range(int(job.get('repeats', 3))):
            gate()
            c0 = time.process_time()  # user + system of every thread of this process
            t0 = time.perf_counter()
            res = run()
            times.append((time.perf_counter() - t0) * 1000.0)
            cpu.append((time.process_time() - c0) * 1000.0)
        peak_kb = max(peak_kb, proc_status_kb('VmHWM') or 0)
        results.append({'id': item['id'], 'ms': times, 'cpu_ms': cpu, 'output': output(res)})
    return {
        'side': 'python_original', 'stage': job['stage'], 'threads': threads, 'items': results,
        'peak_rss_kb': peak_kb, 'baseline_rss_kb': base_kb,
        'versions': {'python': sys.version.split()[0], 'torch': torch.__version__, 'numpy': np.__version__,
                     'opencv': cv2.__version__, 'pydicom': pydicom.__version__,
                     'torch_threads': torch.get_num_threads()},
    }


# ---------------------------------------------------------------- self-check against the goldens
def read_bin(path, dtype, shape):
    return np.fromfile(path, dtype=dtype).reshape(shape)


def selfcheck(shared):
    g = os.path.join(shared, 'golden')
    ok = True

    def report(name, good, detail):
        nonlocal ok
        ok = ok and good
        print(f"{'ok  ' if good else 'FAIL'} {name}: {detail}")

    index = json.load(open(os.path.join(g, 'preprocess', 'rsna', 'index.json')))
    for entry in [e for e in index['images'] if 'folder' in e]:
        summary = json.load(open(os.path.join(g, 'preprocess', 'rsna', entry['folder'], 'summary.json')))
        ds, x16 = decode_int16(os.path.join(shared, 'data', 'dicom', entry['dicom']))
        meta = window_meta(ds)
        x, resized, r = detector_input(x16, meta['invert'])
        det = sha256(x[0, 0].numpy()) == summary['detector_input']['sha256_416x416_channel0']
        found = otsu_roi(resized, r, *x16.shape)
        box = found[0] if found else None
        final = sha256(classifier_input(x16, box, meta).numpy())
        report(entry['image'], det and box == entry['otsu_box'] and final == entry['finals']['otsu'],
               f"otsu box {box} vs {entry['otsu_box']}, final sha {'equal' if final == entry['finals']['otsu'] else 'DIFFERS'}"
               f", detector sha {'equal' if det else 'differs'}")
    x = torch.from_numpy(read_bin(os.path.join(g, 'yolox', 'input.bin'), '<f4', (1, 3, 416, 416)))
    for name in ('plain', 'shifted'):
        pth = os.path.join(g, 'yolox', 'yolox_nano_416_roi_torch.pth' if name == 'plain'
                           else 'yolox_nano_416_roi_torch_shifted.pth')
        with torch.no_grad():
            raw = load_yolox(pth)(x).numpy()
        ref = read_bin(os.path.join(g, 'yolox', f'{name}.raw_nodecode.bin'), '<f4', (1, 3549, 6))
        d = float(np.abs(raw - ref).max())
        report(f'yolox {name}', d <= 5e-3, f'max |raw - golden| = {d:.2e}')
    paths = [os.path.join(g, 'convnext_ensemble', f'best_convnext_fold_{i}.pth.tar') for i in range(4)]
    xin = torch.from_numpy(read_bin(os.path.join(g, 'convnext_ensemble', 'input_0_255.bin'), '<f4', (2, 3, 256, 128)))
    with torch.no_grad():
        probs = Ensemble(paths)(xin).numpy()
    ref = read_bin(os.path.join(g, 'convnext_ensemble', 'probs.bin'), '<f4', (2, 4))
    d = float(np.abs(probs - ref).max())
    report('convnext ensemble', d <= 1e-5, f'max |probs - golden| = {d:.2e}')
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--job', help='job JSON (one job or a list) written by the bench harness')
    ap.add_argument('--selfcheck', metavar='SHARED', help='check against SHARED/golden and exit')
    args = ap.parse_args()
    if args.selfcheck:
        sys.exit(0 if selfcheck(args.selfcheck) else 1)
    with open(args.job) as f:
        jobs = json.load(f)
    # One job, or a batch (one process for all rows at one thread count): one result line per job.
    for job in jobs if isinstance(jobs, list) else [jobs]:
        try:
            result = run_job(job)
        except Exception as e:  # the row reports the error; the batch goes on
            result = {'error': f'{type(e).__name__}: {e}'}
        print(json.dumps(result), flush=True)


if __name__ == '__main__':
    main()
