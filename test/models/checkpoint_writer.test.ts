/**
 * The torch.save-compatible writer: round trip through our reader with hand-made values, half /
 * bfloat16 rounding checked against hand-computed bit patterns, and torch.load of our files (when
 * Debian's python3-torch is present).
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { spawnSync } from 'child_process';
import {
  PickleObject, PyFloat, PyTuple, TorchTensor, makeRandomConvnextCheckpoint, readSafetensors, readTorchCheckpoint, writeTorchCheckpoint,
} from '../../lib/models';
import { floatToHalf, halfToFloat } from '../../lib/models/torch/dtype_codec';
import { ZipReader } from '../../lib/models/torch/zip_reader';
import { needsPythonTorch, pythonTorch, tmpDir } from '../helpers/models';

t.test('half precision conversion matches IEEE bit patterns', async (t) => {
  // 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff (max), 2^-24 = 0x0001 (min subnormal), 1/3 rounds to 0x3555.
  t.same([1, -2, 65504, 2 ** -24, 1 / 3].map(floatToHalf), [0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555]);
  t.same([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555].map(halfToFloat), [1, -2, 65504, 2 ** -24, 0.333251953125]);
  t.equal(floatToHalf(1e6), 0x7c00, 'overflow → +inf');
});

t.test('round trip: dicts, Namespace, tuples, floats, bytes, every dtype', async (t) => {
  const dir = tmpDir('writer');
  const file = path.join(dir, 'roundtrip.pth.tar');
  const ns = new PickleObject('argparse', 'Namespace');
  ns.state = { lr: new PyFloat(0.1), name: 'x' };
  const tensors = {
    f32: new TorchTensor('float32', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6.5])),
    f64: new TorchTensor('float64', [2], Float64Array.from([Math.PI, -1e300])),
    f16: new TorchTensor('float16', [3], Float32Array.from([1, -2, 0.5])),
    bf16: new TorchTensor('bfloat16', [2], Float32Array.from([1.5, -256])),
    i64: new TorchTensor('int64', [2], BigInt64Array.from([-(2n ** 40n), 7n])),
    i32: new TorchTensor('int32', [1], Int32Array.from([-5])),
    u8: new TorchTensor('uint8', [2], Uint8Array.from([0, 255])),
    scalar: new TorchTensor('float32', [], Float32Array.from([42])),
  };
  await writeTorchCheckpoint(file, {
    weights: new Map(Object.entries(tensors)), args: ns, epoch: new PyFloat(2), step: 3, big: 2 ** 40, neg: -70000,
    shape: new PyTuple([1, 2, 3, 4]), blob: Buffer.from([0, 200, 65]), none: null, flag: true, list: [1, 'a', [2]],
  });
  const zip = ZipReader.open(file);
  t.ok(zip.entries.has('roundtrip.pth/data.pkl'), 'record prefix = file name without its last extension (like torch.save)');
  for (const e of zip.entries.values()) if (e.name.includes('/data/')) t.equal(0, dataOffset(file, e.localHeaderOffset) % 64, `${e.name} is 64-byte aligned`);
  zip.close();
  const back = (await readTorchCheckpoint(file)) as Map<string, unknown>;
  const w = back.get('weights') as Map<string, TorchTensor>;
  for (const [k, v] of Object.entries(tensors)) {
    t.same({ dtype: w.get(k)!.dtype, shape: w.get(k)!.shape, data: [...w.get(k)!.data] }, { dtype: v.dtype, shape: v.shape, data: [...v.data] }, k);
  }
  t.same([back.get('epoch'), back.get('step'), back.get('big'), back.get('neg'), back.get('none'), back.get('flag')], [2, 3, 2 ** 40, -70000, null, true]);
  t.same(back.get('shape'), [1, 2, 3, 4]);
  t.same([...(back.get('blob') as Buffer)], [0, 200, 65]);
  t.same(back.get('list'), [1, 'a', [2]]);
  const args = back.get('args') as PickleObject;
  t.same([args.qualifiedName, (args.state as Map<string, unknown>).get('lr')], ['argparse.Namespace', 0.1]);
});

function dataOffset(file: string, localHeader: number): number {
  const fd = fs.openSync(file, 'r');
  const h = Buffer.alloc(30);
  fs.readSync(fd, h, 0, 30, localHeader);
  fs.closeSync(fd);
  return localHeader + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
}

t.test('safetensors: header, dtypes, truncation', async (t) => {
  const dir = tmpDir('st');
  const file = path.join(dir, 'w.safetensors');
  // Hand-built: a = F32 [2] {1.5, -2}, b = F16 [1] {0x3c00 = 1}, c = BF16 [1] {0x4040 = 3}, d = I64 [1] {9}.
  const data = Buffer.concat([
    Buffer.from(Float32Array.from([1.5, -2]).buffer), Buffer.from(Uint16Array.from([0x3c00]).buffer),
    Buffer.from(Uint16Array.from([0x4040]).buffer), Buffer.from(BigInt64Array.from([9n]).buffer),
  ]);
  const header = JSON.stringify({
    __metadata__: { format: 'pt' }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F16', shape: [1], data_offsets: [8, 10] },
    c: { dtype: 'BF16', shape: [1], data_offsets: [10, 12] }, d: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
  });
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  fs.writeFileSync(file, Buffer.concat([len, Buffer.from(header), data]));
  const sd = readSafetensors(file);
  t.same([...sd.keys()], ['a', 'b', 'c', 'd']);
  t.same([...sd.get('a')!.data, ...sd.get('b')!.data, ...sd.get('c')!.data], [1.5, -2, 1, 3]);
  t.equal(sd.get('d')!.data[0], 9n);
  const viaGeneric = (await readTorchCheckpoint(file)) as Map<string, TorchTensor>;
  t.equal(viaGeneric.size, 4, 'readTorchCheckpoint dispatches .safetensors');
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 30));
  t.throws(() => readSafetensors(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: /truncated/ });
});

t.test('torch.load reads our files (python3-torch)', needsPythonTorch(), async (t) => {
  const dir = tmpDir('torchload');
  const file = path.join(dir, 'tiny.pth.tar');
  await makeRandomConvnextCheckpoint(file, { depths: [1, 1], dims: [8, 16], seed: 5 });
  const ours = (await readTorchCheckpoint(file)) as Map<string, unknown>;
  const ema = ours.get('state_dict_ema') as Map<string, TorchTensor>;
  const code = [
    'import sys, json, torch',
    'c = torch.load(sys.argv[1], map_location="cpu")',
    'sd = c["state_dict_ema"]',
    'print(json.dumps({"keys": list(c.keys()), "gp": c["args"].gp, "sums": {k: float(v.double().sum()) for k, v in sd.items()}, "shapes": {k: list(v.shape) for k, v in sd.items()}}))',
  ].join('\n');
  const r = spawnSync(pythonTorch()!, ['-c', code, file], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout);
  t.same(py.keys, ['epoch', 'arch', 'state_dict', 'optimizer', 'version', 'args', 'amp_scaler', 'state_dict_ema', 'metric']);
  t.equal(py.gp, 'max');
  for (const [k, v] of ema) {
    const sum = [...(v.data as Float32Array)].reduce((a, b) => a + b, 0);
    t.ok(Math.abs(sum - py.sums[k]) <= 1e-9 * Math.max(1, Math.abs(sum)) && JSON.stringify(py.shapes[k]) === JSON.stringify(v.shape), `${k} equal in torch`);
  }
});
