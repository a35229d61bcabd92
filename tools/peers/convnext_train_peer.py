#!/usr/bin/python3
"""Training peer for tools/bench/train.bench.ts: K ConvNeXt training steps in PyTorch on one batch, the
recipe of ALGORITHMS.md §9.2/§9.7/§9.9 (BCE with positive-only smoothing, SGD Nesterov 0.9 with no
weight decay on 1-D params/biases, EMA 0.9998), drop 0, same weights (state_dict_ema of the checkpoint)
and input as the native trainer. Model: the bench's own timm-layout ConvNeXt (convnext_torch_peer.py).
Prints one JSON line per step ({"event":"step","step":k,"loss":…,"seconds":…}: forward to EMA update and
loss.item(), as the native trainer times its step) and a last {"event":"done","torch":…}. Under the bench's
interleaved harness (RSNA_MAMMO_BENCH_LOCKSTEP=1, tools/bench/harness/lockstep.ts) it stops at a gate
before each step. Needs Debian's python3-torch.

usage: convnext_train_peer.py <ckpt> <input_u8.bin> N,C,H,W <targets> <smoothing> <lr> <steps> <threads>
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convnext_torch_peer import ConvNeXt, ConvNeXtBlock  # noqa: E402
from lockstep_gate import gate  # noqa: E402


def timm_block_forward(self, x):
    """timm 0.6 ConvNeXtBlock.forward (conv_mlp False, drop_path 0): the layer scale is applied after the
    permute back to NCHW, as the original trains (the models bench's forward multiplies before it: same
    values, but a different gradient reduction for gamma)."""
    shortcut = x
    x = self.conv_dw(x).permute(0, 2, 3, 1)
    x = self.mlp(self.norm(x)).permute(0, 3, 1, 2)
    x = x.mul(self.gamma.reshape(1, -1, 1, 1))
    return x + shortcut


ConvNeXtBlock.forward = timm_block_forward

def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def main():
    ckpt, inp, shape, targets, smoothing, lr, steps, threads = sys.argv[1:9]
    torch.set_num_threads(int(threads))
    sd = torch.load(ckpt, map_location='cpu')
    sd = sd.get('state_dict_ema', sd.get('state_dict'))
    depths = [1 + max(int(k.split('.')[3]) for k in sd if k.startswith(f'stages.{i}.blocks.')) for i in range(4)]
    dims = [sd[f'stages.{i}.blocks.0.conv_dw.weight'].shape[0] for i in range(4)]
    model = ConvNeXt(depths, dims, 1, 'max')
    model.load_state_dict(sd)
    n, c, h, w = (int(v) for v in shape.split(','))
    x = torch.from_numpy(np.fromfile(inp, np.uint8).reshape(n, c, h, w).copy()).float()
    mean = torch.tensor([v * 255 for v in (0.485, 0.456, 0.406)]).view(1, 3, 1, 1)
    std = torch.tensor([v * 255 for v in (0.229, 0.224, 0.225)]).view(1, 3, 1, 1)
    x = x.sub_(mean).div_(std)
    t = torch.tensor([float(v) for v in targets.split(',')])
    target = torch.where(t.bool(), 1.0 - float(smoothing), 0).view(-1, 1)
    no_decay = [p for name, p in model.named_parameters() if p.ndim <= 1 or name.endswith('.bias')]
    decay = [p for name, p in model.named_parameters() if not (p.ndim <= 1 or name.endswith('.bias'))]
    opt = torch.optim.SGD([{'params': no_decay, 'weight_decay': 0.0}, {'params': decay, 'weight_decay': 2e-5}],
                          lr=float(lr), momentum=0.9, nesterov=True)
    ema = [p.detach().clone() for p in model.parameters()]
    model.train()
    for step in range(1, int(steps) + 1):
        gate()
        t0 = time.perf_counter()
        loss = F.binary_cross_entropy_with_logits(model(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema, model.parameters()):
                e.copy_(0.9998 * e + (1 - 0.9998) * p)
        value = loss.item()
        emit({'event': 'step', 'step': step, 'loss': value, 'seconds': time.perf_counter() - t0})
    emit({'event': 'done', 'torch': torch.__version__, 'threads': torch.get_num_threads()})


if __name__ == '__main__':
    main()
