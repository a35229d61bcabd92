/**
 * The torch.save reader against the golden checkpoints (../shared/golden/README.md "Checkpoint
 * formats"): structure, pickle globals, any zip prefix, exact tensor bytes (cross-checked with
 * torch when Debian's python3-torch is present).
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import crypto from 'crypto';
import { spawnSync } from 'child_process';
import { readTorchCheckpoint, TorchTensor, PickleObject } from '../../lib/models';
import { needsShared, sharedPath } from '../helpers/shared';
import { needsPythonTorch, pythonTorch, turnsDuring } from '../helpers/models';

const CONVNEXT = 'golden/convnext/convnext_golden_a.pth.tar';
const YOLOX = 'golden/yolox/yolox_nano_416_roi_torch.pth';

t.test('timm CheckpointSaver checkpoint: keys, Namespace args, torch.device, numpy metric', needsShared(CONVNEXT), async (t) => {
  const file = sharedPath(CONVNEXT)!;
  const meta = JSON.parse(fs.readFileSync(sharedPath('golden/convnext/convnext_golden_a.json')!, 'utf8'));
  const ckpt = (await readTorchCheckpoint(file)) as Map<string, unknown>;
  t.same([...ckpt.keys()], meta.checkpoint.top_level_keys, 'top-level keys in saver order');
  t.equal(ckpt.get('epoch'), 17);
  t.equal(ckpt.get('arch'), 'convnext_golden_a');
  t.equal(ckpt.get('version'), 2);
  t.equal(ckpt.get('metric'), 0.55, 'numpy.float64 metric via numpy.core.multiarray.scalar');
  const args = ckpt.get('args') as PickleObject;
  t.equal(args.qualifiedName, 'argparse.Namespace');
  t.equal((args.state as Map<string, unknown>).size, 137, '137 train_exp.py arguments');
  const device = (args.state as Map<string, unknown>).get('device') as PickleObject;
  t.same([device.qualifiedName, device.args], ['torch.device', ['cuda', 0]], 'torch.device stays an inert placeholder');
  const ema = ckpt.get('state_dict_ema') as Map<string, TorchTensor>;
  const expected = meta.checkpoint.state_dict_keys ?? meta.checkpoint_details?.state_dict_keys;
  const list: { key: string; shape: number[] }[] = expected ?? [];
  t.equal(ema.size, 101);
  if (list.length) t.same([...ema.entries()].map(([k, v]) => ({ key: k, shape: v.shape })), list.map((e) => ({ key: e.key, shape: e.shape })), 'every key with its shape, in order');
  const opt = ckpt.get('optimizer') as Map<string, unknown>;
  t.equal(((opt.get('param_groups') as Map<string, unknown>[])[0]).get('nesterov'), true);
});

t.test('dense mid-epoch checkpoint keeps its float epoch (fold 1: 9.5)', needsShared('golden/convnext_ensemble/best_convnext_fold_1.pth.tar'), async (t) => {
  const ckpt = (await readTorchCheckpoint(sharedPath('golden/convnext_ensemble/best_convnext_fold_1.pth.tar')!)) as Map<string, unknown>;
  t.equal(ckpt.get('epoch'), 9.5);
});

t.test('YOLOX trainer checkpoint: prefix last_epoch_ckpt/, int64 num_batches_tracked, 642 keys', needsShared(YOLOX), async (t) => {
  const ckpt = (await readTorchCheckpoint(sharedPath(YOLOX)!)) as Map<string, unknown>;
  t.same([...ckpt.keys()], ['start_epoch', 'model', 'optimizer', 'best_ap', 'curr_ap']);
  const model = ckpt.get('model') as Map<string, TorchTensor>;
  t.equal(model.size, 642);
  const nbt = model.get('backbone.backbone.stem.conv.bn.num_batches_tracked')!;
  t.equal(nbt.dtype, 'int64');
  t.same(nbt.shape, []);
  t.equal(nbt.data[0], 105001n);
  t.same(model.get('head.cls_preds.0.weight')!.shape, [1, 64, 1, 1]);
});

/** sha256 of every tensor's bytes, computed by torch itself, for several (file, entry) pairs in one run. */
function torchDigests(jobs: [string, string][]): Record<string, string>[] {
  const code = [
    'import sys, json, hashlib, torch',
    'jobs = json.loads(sys.argv[1])',
    'out = []',
    'for f, key in jobs:',
    '    sd = torch.load(f, map_location="cpu")[key]',
    '    out.append({k: hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest() for k, v in sd.items()})',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(pythonTorch()!, ['-c', code, JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

t.test('tensors are bit-identical to torch.load (python3-torch cross-check)', { ...needsShared(YOLOX), ...(needsShared(YOLOX).skip ? {} : needsPythonTorch()) }, async (t) => {
  const jobs: [string, string][] = [[sharedPath(CONVNEXT)!, 'state_dict_ema'], [sharedPath(YOLOX)!, 'model']];
  const digests = torchDigests(jobs);
  for (let j = 0; j < jobs.length; j++) {
    const [file, key] = jobs[j];
    const ours = ((await readTorchCheckpoint(file)) as Map<string, unknown>).get(key) as Map<string, TorchTensor>;
    let same = 0;
    for (const [k, v] of ours) {
      const bytes = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
      if (crypto.createHash('sha256').update(bytes).digest('hex') === digests[j][k]) same++;
    }
    t.equal(same, Object.keys(digests[j]).length, `${path.basename(file)}: all ${same} tensors identical`);
  }
});

t.test('torch-written half, bfloat16, int64, bool, strided views and Parameters (python3-torch)', needsPythonTorch(), async (t) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-models-torchwrite-')), 'dtypes.pt');
  const code = [
    'import sys, json, torch',
    'base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 3',
    'obj = {"half": torch.tensor([1.5, -2.0, 65504.0, 1e-7], dtype=torch.half), "bf16": torch.tensor([3.0, -0.15625, 1e30], dtype=torch.bfloat16),',
    '       "i64": torch.tensor([-(2**40), 7]), "bool": torch.tensor([True, False]), "base": base, "view_t": base.t(), "view_col": base[:, 1],',
    '       "param": torch.nn.Parameter(torch.ones(2, 2)), "f64": torch.tensor([3.141592653589793], dtype=torch.float64)}',
    'torch.save(obj, sys.argv[1])',
    'print(json.dumps({k: [float(x) for x in v.detach().double().flatten().tolist()] for k, v in obj.items()}))',
  ].join('\n');
  const r = spawnSync(pythonTorch()!, ['-c', code, file], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as Record<string, number[]>;
  const ours = (await readTorchCheckpoint(file)) as Map<string, TorchTensor>;
  t.same([ours.get('half')!.dtype, ours.get('bf16')!.dtype, ours.get('i64')!.dtype, ours.get('bool')!.dtype], ['float16', 'bfloat16', 'int64', 'bool']);
  t.same(ours.get('view_t')!.shape, [4, 3], 'transposed view keeps its shape');
  for (const [k, values] of Object.entries(expected)) {
    const got = [...ours.get(k)!.data].map(Number);
    t.same(got, values, `${k} equals torch's values exactly`);
  }
});

t.test('tensor records are read without blocking the event loop', needsShared(CONVNEXT), async (t) => {
  const turns = await turnsDuring(readTorchCheckpoint(sharedPath(CONVNEXT)!));
  t.ok(turns > 5, `${turns} event-loop turns while reading`);
});
