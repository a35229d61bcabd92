/**
 * The same golden ConvNeXt weights reached three other ways give the golden logits
 * (../shared/golden/convnext case 1): a DataParallel `module.` prefix (stripped, as timm's
 * load_checkpoint does), a bare state dict, and a `.safetensors` file (pool given explicitly).
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { convertClassifier, readTorchCheckpoint, TorchTensor, writeTorchCheckpoint } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare, tmpDir } from '../helpers/models';

const DIR = 'golden/convnext';

function writeSafetensors(file: string, sd: Map<string, TorchTensor>): void {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [k, v] of sd) {
    const bytes = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
    header[k] = { dtype: 'F32', shape: v.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([len, json, ...parts]));
}

t.test('module. prefix, bare state dict and safetensors all give the golden logits', needsShared(DIR), async (t) => {
  const dir = tmpDir('sources');
  const g = sharedPath(DIR)!;
  const ckpt = (await readTorchCheckpoint(path.join(g, 'convnext_golden_a.pth.tar'))) as Map<string, unknown>;
  const ema = ckpt.get('state_dict_ema') as Map<string, TorchTensor>;
  const prefixed = new Map([...ema].map(([k, v]) => [`module.${k}`, v]));
  const files = {
    prefixed: path.join(dir, 'prefixed.pth.tar'),
    bare: path.join(dir, 'bare.pth'),
    safetensors: path.join(dir, 'weights.safetensors'),
  };
  await writeTorchCheckpoint(files.prefixed, { state_dict_ema: prefixed });
  await writeTorchCheckpoint(files.bare, ema);
  writeSafetensors(files.safetensors, ema);
  const input = { data: readF32(path.join(g, 'case1.input.bin')), dims: [1, 3, 256, 128] };
  const golden = readF32(path.join(g, 'case1.logits.bin'));
  for (const [name, file] of Object.entries(files)) {
    const res = await convertClassifier([file], path.join(dir, `${name}.onnx`), { globalPool: 'max' });
    const s = await createSession(res.outFile);
    const r = compare((await s.run({ input })).logits.data, golden, 1e-4, 1e-4);
    await s.dispose();
    t.ok(r.ok, `${name}: max |diff| ${r.maxAbs.toExponential(2)}`);
  }
});
