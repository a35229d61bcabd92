#!/usr/bin/python3
"""CPU peer for `npm run bench:models`: runs the same timm-layout ConvNeXt checkpoint in PyTorch.

Our own small ConvNeXt definition (same module names as timm, so the state dict loads strictly);
reads the checkpoint with torch.load (the file is written by rsna-mammo's torch.save-compatible
writer), runs `runs` timed forwards on a float32 input file and prints one JSON line with timings,
peak RSS and the logits. Needs Debian's python3-torch (scripts/apt-packages-bench.txt).

usage: convnext_torch_peer.py <ckpt> <input.bin> N,C,H,W <runs> <threads> <max|avg> <out_logits.bin>
"""
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))
        self.conv_dw = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x):
        y = self.conv_dw(x).permute(0, 2, 3, 1)
        y = self.mlp(self.norm(y)) * self.gamma
        return y.permute(0, 3, 1, 2) + x


class ConvNeXtStage(nn.Module):
    def __init__(self, in_dim, dim, depth, downsample):
        super().__init__()
        self.downsample = nn.Sequential(LayerNorm2d(in_dim, eps=1e-6), nn.Conv2d(in_dim, dim, 2, 2)) if downsample else nn.Identity()
        self.blocks = nn.Sequential(*[ConvNeXtBlock(dim) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(self.downsample(x))


class Head(nn.Module):
    def __init__(self, dim, classes):
        super().__init__()
        self.norm = LayerNorm2d(dim, eps=1e-6)
        self.fc = nn.Linear(dim, classes)


class ConvNeXt(nn.Module):
    def __init__(self, depths, dims, classes, pool):
        super().__init__()
        self.pool = pool
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 4, 4), LayerNorm2d(dims[0], eps=1e-6))
        self.stages = nn.Sequential(*[
            ConvNeXtStage(dims[max(i - 1, 0)], dims[i], depths[i], i > 0) for i in range(len(depths))
        ])
        self.head = Head(dims[-1], classes)

    def forward(self, x):
        x = self.stages(self.stem(x))
        x = F.adaptive_max_pool2d(x, 1) if self.pool == 'max' else F.adaptive_avg_pool2d(x, 1)
        return self.head.fc(self.head.norm(x).flatten(1))


def peak_rss_mb():
    # VmHWM is this process's own peak (ru_maxrss is inherited from the parent across fork/exec).
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ckpt_path, input_path, shape, runs, threads, pool, out_path = sys.argv[1:8]
    torch.set_num_threads(int(threads))
    t0 = time.perf_counter()
    sd = torch.load(ckpt_path, map_location='cpu')['state_dict_ema']
    depths, dims, s = [], [], 0
    while f'stages.{s}.blocks.0.conv_dw.weight' in sd:
        depths.append(sum(1 for k in sd if k.startswith(f'stages.{s}.blocks.') and k.endswith('.conv_dw.weight')))
        dims.append(sd[f'stages.{s}.blocks.0.conv_dw.weight'].shape[0])
        s += 1
    model = ConvNeXt(depths, dims, sd['head.fc.weight'].shape[0], pool)
    model.load_state_dict(sd, strict=True)
    model.eval()
    load_s = time.perf_counter() - t0
    dims_in = [int(v) for v in shape.split(',')]
    x = torch.from_file(input_path, size=int(torch.tensor(dims_in).prod()), dtype=torch.float32).reshape(dims_in)
    times = []
    with torch.inference_mode():
        for _ in range(int(runs) + 1):
            t = time.perf_counter()
            logits = model(x)
            times.append(time.perf_counter() - t)
    logits.contiguous().numpy().tofile(out_path)
    print(json.dumps({
        'runtime': f'PyTorch {torch.__version__} (Debian python3-torch)',
        'threads': torch.get_num_threads(),
        'load_s': load_s,
        'first_run_s': times[0],
        'run_s': statistics.median(times[1:]) if len(times) > 1 else times[0],
        'peak_rss_mb': peak_rss_mb(),
        'params': sum(p.numel() for p in model.parameters()),
    }))


if __name__ == '__main__':
    main()
