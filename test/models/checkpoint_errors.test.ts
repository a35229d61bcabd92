/**
 * Corrupt, truncated and foreign checkpoints and mismatched architectures each give one clear error
 * naming the file and the first offending keys; pickled code is never executed.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { convertClassifier, convertYolox, PickleObject, readTorchCheckpoint, TorchTensor, writeTorchCheckpoint } from '../../lib/models';
import { ZipReader } from '../../lib/models/torch/zip_reader';
import { needsShared, sharedPath } from '../helpers/shared';
import { tmpDir } from '../helpers/models';

const CONVNEXT = 'golden/convnext/convnext_golden_a.pth.tar';
const YOLOX = 'golden/yolox/yolox_nano_416_roi_torch.pth';
const dir = tmpDir('errors');

t.test('truncated checkpoint', needsShared(CONVNEXT), async (t) => {
  const src = fs.readFileSync(sharedPath(CONVNEXT)!);
  const file = path.join(dir, 'truncated.pth.tar');
  fs.writeFileSync(file, src.subarray(0, src.length >> 1));
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: /truncated\.pth\.tar: .*truncated/ });
});

t.test('flipped byte inside a tensor record fails its CRC', needsShared(CONVNEXT), async (t) => {
  const src = Buffer.from(fs.readFileSync(sharedPath(CONVNEXT)!));
  const zip = ZipReader.open(sharedPath(CONVNEXT)!);
  const entry = zip.entries.get('tmp.pth/data/3')!;
  zip.close();
  const h = src.subarray(entry.localHeaderOffset, entry.localHeaderOffset + 30);
  const at = entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28) + 5;
  src[at] ^= 0x40;
  const file = path.join(dir, 'bitflip.pth.tar');
  fs.writeFileSync(file, src);
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: /"tmp\.pth\/data\/3" fails its CRC/ });
});

t.test('not a checkpoint at all', async (t) => {
  const file = path.join(dir, 'notes.pth');
  fs.writeFileSync(file, 'just some text, not a zip\n');
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: /not a torch zip checkpoint/ });
  await t.rejects(readTorchCheckpoint(path.join(dir, 'missing.pth')), { code: 'ERR_FILE_NOT_FOUND' });
});

t.test('pickled calls of unknown globals stay inert placeholders (nothing runs)', async (t) => {
  const marker = path.join(dir, 'pwned');
  const file = path.join(dir, 'evil.pth');
  await writeTorchCheckpoint(file, { payload: new PickleObject('os', 'system', [`touch ${marker}`]) });
  const ckpt = (await readTorchCheckpoint(file)) as Map<string, unknown>;
  const p = ckpt.get('payload') as PickleObject;
  t.same([p.qualifiedName, p.args], ['os.system', [`touch ${marker}`]]);
  t.notOk(fs.existsSync(marker), 'os.system was not called');
});

t.test('ConvNeXt weights with missing, mis-shaped and unexpected keys: one error listing them', needsShared(CONVNEXT), async (t) => {
  const ckpt = (await readTorchCheckpoint(sharedPath(CONVNEXT)!)) as Map<string, unknown>;
  const sd = new Map(ckpt.get('state_dict_ema') as Map<string, TorchTensor>);
  sd.delete('stages.1.blocks.0.norm.weight');
  sd.set('stages.0.blocks.1.mlp.fc1.weight', new TorchTensor('float32', [64, 15], new Float32Array(64 * 15)));
  sd.set('head.extra.weight', new TorchTensor('float32', [1], new Float32Array(1)));
  const file = path.join(dir, 'broken_convnext.pth.tar');
  await writeTorchCheckpoint(file, new Map<string, unknown>([['state_dict_ema', sd]]));
  await t.rejects(convertClassifier([file], path.join(dir, 'x.onnx')), {
    code: 'ERR_ARCH_MISMATCH',
    message: /broken_convnext\.pth\.tar: weights do not fit timm ConvNeXt: missing keys: stages\.1\.blocks\.0\.norm\.weight; wrong shapes: stages\.0\.blocks\.1\.mlp\.fc1\.weight \[64,15\] \(expected \[64,16\]\); unexpected keys: head\.extra\.weight/,
  });
});

t.test('a YOLOX checkpoint given to convert classifier, and YOLOX with the wrong width', needsShared(YOLOX), async (t) => {
  await t.rejects(convertClassifier([sharedPath(YOLOX)!], path.join(dir, 'y.onnx')), { code: 'ERR_ARCH_MISMATCH', message: /not a timm ConvNeXt state dict: "stem\.0\.weight" is missing \(first keys: backbone\.backbone\.stem/ });
  await t.rejects(convertYolox(sharedPath(YOLOX)!, path.join(dir, 'y.onnx'), { width: 0.5 }), {
    code: 'ERR_ARCH_MISMATCH', message: /weights do not fit YOLOX \(depth 0\.33+\d*, width 0\.5.*wrong shapes: backbone\.backbone\.stem\.conv\.conv\.weight \[16,12,3,3\] \(expected \[32,12,3,3\]\)/,
  });
  await t.rejects(convertYolox(sharedPath(YOLOX)!, path.join(dir, 'y.onnx'), { depthwise: false }), { code: 'ERR_ARCH_MISMATCH', message: /missing keys: backbone\.backbone\.dark2\.0\.conv\.weight/ });
});
