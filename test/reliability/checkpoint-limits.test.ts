// Hostile input, part 4: crafted checkpoints (lib/models/torch): a zip bomb, a stride-0 tensor, a
// negative storage offset, a pickle whose memo references expand to 2^40 values, malformed
// safetensors headers, a 1 KB ConvNeXt claiming dims 8192. Each must end in a typed error naming the
// file, fast and without the memory; `convert` never leaves a model ONNX Runtime cannot load.
// The real 1 MB → 2.2 GB zip bomb is opt-in: RSNA_RELIABILITY_LARGE=1.
import fs from 'fs';
import os from 'os';
import path from 'path';
import zlib from 'zlib';
import t from 'tap';
import { readTorchCheckpoint } from '../../lib/models';
import { main } from '../../lib/cli/main';
import { OnnxGraph } from '../../lib/models/onnx/graph';
import { writeLoadableModel } from '../../lib/models/write_model';
import { convnextStateDictShapes } from '../../lib/models/random_convnext';
import { writeTorchCheckpoint } from '../../lib/models/torch/checkpoint_writer';
import { TorchTensor } from '../../lib/models/torch/pickle_values';
import { capture } from '../helpers/models';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-ckpt-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A zip entry: `data` stored (or deflated when asked), or an already deflated `body` with the size and CRC it declares. */
type ZipInput = { name: string; data: Buffer; deflate?: boolean } | { name: string; body: Buffer; size: number; crc: number };

/** A zip of `entries`, as torch.save lays records out. */
function zip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const deflated = 'body' in e || e.deflate === true;
    const body = 'body' in e ? e.body : e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const size = 'body' in e ? e.size : e.data.length;
    const crc = 'body' in e ? e.crc : zlib.crc32(e.data) >>> 0;
    const name = Buffer.from(e.name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(deflated ? 8 : 0, 8);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(body.length, 18);
    head.writeUInt32LE(size, 22);
    head.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(deflated ? 8 : 0, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(head, name, body);
    centrals.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cdBytes = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, eocd]);
}

// Pickle opcodes (protocol 2 plus the SHORT_BINUNICODE of protocol 4), written by hand.
const op = {
  proto: Buffer.from([0x80, 0x02]), dict: Buffer.from('}'), mark: Buffer.from('('), tuple: Buffer.from('t'), list: Buffer.from('l'),
  emptyList: Buffer.from(']'), persid: Buffer.from('Q'), reduce: Buffer.from('R'), setitem: Buffer.from('s'), stop: Buffer.from('.'), false: Buffer.from([0x89]),
};
const str = (s: string): Buffer => Buffer.concat([Buffer.from([0x8c, s.length]), Buffer.from(s)]);
const int = (v: number): Buffer => { const b = Buffer.alloc(5); b.write('J'); b.writeInt32LE(v, 1); return b; };
const global = (m: string, n: string): Buffer => Buffer.from(`c${m}\n${n}\n`);
const tuple = (...xs: Buffer[]): Buffer => Buffer.concat([op.mark, ...xs, op.tuple]);

/** _rebuild_tensor_v2(storage '0' declaring `numel` floats, offset, size, stride). */
function tensor(numel: number, offset: number, size: number[], stride: number[]): Buffer {
  const storage = Buffer.concat([tuple(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int(numel)), op.persid]);
  return Buffer.concat([global('torch._utils', '_rebuild_tensor_v2'),
    tuple(storage, int(offset), tuple(...size.map(int)), tuple(...stride.map(int)), op.false, op.dict), op.reduce]);
}

/** A torch zip whose data.pkl is `pkl` and whose storage record 0 holds `storageBytes` bytes. */
function writeCheckpoint(name: string, pkl: Buffer, storageBytes: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, zip([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: Buffer.alloc(storageBytes) }]));
  return file;
}

/** {'w': _rebuild_tensor_v2(storage(numel), offset, size, stride)} with storage bytes `data`. */
function tensorCheckpoint(name: string, numel: number, offset: number, size: number[], stride: number[]): string {
  const pkl = Buffer.concat([op.proto, op.dict, str('w'), tensor(numel, offset, size, stride), op.setitem, op.stop]);
  return writeCheckpoint(name, pkl, 4 * numel);
}

/** {'state_dict': {key: tensor}} — the timm checkpoint layout `convert classifier` reads. */
function timmCheckpoint(name: string, tensors: Record<string, Buffer>, storageBytes: number): string {
  const items = Object.entries(tensors).flatMap(([k, v]) => [str(k), v, op.setitem]);
  const pkl = Buffer.concat([op.proto, op.dict, str('state_dict'), op.dict, ...items, op.setitem, op.stop]);
  return writeCheckpoint(name, pkl, storageBytes);
}

/** A ConvNeXt of dims 8192 (fc1 alone 8192·32768 floats = 1 GiB) whose every weight is one float. */
function convnextDims8192(name: string): string {
  const D = 8192;
  const zeros = (shape: number[]): Buffer => tensor(1, 0, shape, shape.map(() => 0)); // stride 0: one value repeated
  return timmCheckpoint(name, {
    'stem.0.weight': zeros([D, 3, 4, 4]),
    'stages.0.blocks.0.conv_dw.weight': zeros([D, 1, 7, 7]),
    'stages.0.blocks.0.mlp.fc1.weight': zeros([4 * D, D]),
    'stages.0.blocks.0.mlp.fc2.weight': zeros([D, 4 * D]),
    'head.fc.weight': zeros([1, D]),
  }, 4);
}

t.test('a well-formed crafted tensor reads (the helper is sound)', async (t) => {
  const ckpt = (await readTorchCheckpoint(tensorCheckpoint('ok.pth', 6, 2, [2, 2], [2, 1]))) as Map<string, { shape: number[] }>;
  t.same(ckpt.get('w')!.shape, [2, 2]);
});

t.test('a stride-0 tensor larger than its storage is refused before allocating', async (t) => {
  const rss = process.memoryUsage().rss;
  const file = tensorCheckpoint('stride0.pth', 1, 0, [800_000_000], [0]);
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_LIMIT', message: /stride0\.pth: .*needs 800000000 elements, its storage 0 holds 1/ });
  t.ok(process.memoryUsage().rss - rss < 256 << 20, 'no 3.2 GB tensor was built');
});

t.test('a negative storage offset is refused', async (t) => {
  await t.rejects(readTorchCheckpoint(tensorCheckpoint('negative.pth', 4, -1, [2], [1])), { code: 'ERR_CHECKPOINT_CORRUPT', message: /negative\.pth: .*storage offset -1/ });
});

t.test('memo references that expand to 2^40 values are refused (a pickle bomb)', async (t) => {
  const parts = [op.proto, op.dict, str('k'), op.emptyList, Buffer.from([0x71, 0])]; // [] memo 0
  for (let i = 0; i < 40; i++) parts.push(op.mark, Buffer.from([0x68, i]), Buffer.from([0x68, i]), op.list, Buffer.from([0x71, i + 1])); // [m_i, m_i] memo i+1
  parts.push(op.setitem, op.stop);
  const file = path.join(dir, 'bomb.pth');
  fs.writeFileSync(file, zip([{ name: 'archive/data.pkl', data: Buffer.concat(parts) }]));
  const t0 = Date.now();
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_LIMIT', message: /bomb\.pth: .*pickle bomb/ });
  t.ok(Date.now() - t0 < 2000, `answered in ${Date.now() - t0} ms`);
});

t.test('a zip entry inflating far beyond its compressed size is refused (zip bomb)', async (t) => {
  const pkl = Buffer.concat([op.proto, op.dict, op.stop]);
  const file = path.join(dir, 'zipbomb.pth');
  fs.writeFileSync(file, zip([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: Buffer.alloc(64 << 20), deflate: true }]));
  t.ok(fs.statSync(file).size < 1 << 20, `the file is ${fs.statSync(file).size} bytes`);
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_LIMIT', message: /zipbomb\.pth: .*zip bomb/ });
});

t.test('a zip entry declaring a small size but inflating to more is stopped at the declared size', async (t) => {
  const data = Buffer.alloc(64 << 20);
  const file = path.join(dir, 'lying.pth');
  fs.writeFileSync(file, zip([{ name: 'archive/data.pkl', data: Buffer.concat([op.proto, op.dict, op.stop]) },
    { name: 'archive/data/0', body: zlib.deflateRawSync(data), size: 1024, crc: zlib.crc32(data) >>> 0 }]));
  const rss = process.memoryUsage().rss;
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: /lying\.pth: zip entry "archive\/data\/0" does not inflate/ });
  t.ok(process.memoryUsage().rss - rss < 32 << 20, 'inflating stopped at the declared 1 KiB');
});

t.test('malformed safetensors headers are typed errors naming the file', async (t) => {
  const cases: Record<string, string> = {
    'null.safetensors': 'null',
    'shape.safetensors': '{"w":{"dtype":"F32","shape":"x","data_offsets":[0,4]}}',
    'entry.safetensors': '{"w":5}',
    'offsets.safetensors': '{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}',
  };
  for (const [name, json] of Object.entries(cases)) {
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(json.length));
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.concat([head, Buffer.from(json), Buffer.alloc(4)]));
    await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: new RegExp(`${name.replace('.', '\\.')}: safetensors: `) }, name);
  }
});

t.test('a 1 KB ConvNeXt claiming dims 8192 is refused before any large allocation', async (t) => {
  const file = convnextDims8192('dims8192.pth.tar');
  t.ok(fs.statSync(file).size < 1200, `the file is ${fs.statSync(file).size} bytes`);
  const rss = process.memoryUsage().rss;
  const t0 = Date.now();
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_LIMIT', file, message: /dims8192\.pth\.tar: .*needs 393216 elements, its storage 0 holds 1/ });
  const grew = process.memoryUsage().rss - rss;
  t.ok(grew < 64 << 20, `RSS grew ${(grew / 2 ** 20).toFixed(1)} MiB in ${Date.now() - t0} ms (the fold's weights alone would be 2 GiB)`);
});

t.test('a storage declaring more elements than its record holds is refused', async (t) => {
  const D = 8192;
  const file = timmCheckpoint('declared.pth.tar', { 'stem.0.weight': tensor(D * 48, 0, [D, 3, 4, 4], [48, 16, 4, 1]) }, 4);
  await t.rejects(readTorchCheckpoint(file), { code: 'ERR_CHECKPOINT_CORRUPT', message: /declared\.pth\.tar: .*storage 0 declares 393216 elements but its record holds 4 bytes/ });
});

t.test('convert classifier on the dims-8192 checkpoint: typed error, exit 1, no output', async (t) => {
  const file = convnextDims8192('cli8192.pth.tar');
  const out = path.join(dir, 'cli8192.onnx');
  const c = capture();
  t.equal(await main(['convert', 'classifier', file, '--out', out], c.io), 1);
  t.match(c.err(), /cli8192\.pth\.tar: .*needs 393216 elements/);
  t.equal(c.err().trim().split('\n').length, 1, 'one line');
  t.notOk(fs.existsSync(out), 'no output file');
  t.same(fs.readdirSync(dir).filter((f) => f.startsWith('cli8192.onnx')), [], 'no temporary file left');
});

t.test('convert classifier on a checkpoint that builds an unloadable model: typed error, exit 1, no output', async (t) => {
  // A well-formed ConvNeXt whose stem is an empty [8, 3, 0, 0] tensor: the reader accepts it (0
  // elements), the patch size read from it is 0, and ONNX Runtime refuses the Conv's zero stride.
  const cfg = { depths: [1], dims: [8], inChans: 3, numClasses: 1, globalPool: 'avg' as const, patchSize: 0, kernelSize: 7, mlpRatio: 4,
    layerScale: true, convMlp: false, headNormFirst: false, headHiddenSize: 0 };
  const sd = new Map<string, TorchTensor>();
  for (const [k, shape] of convnextStateDictShapes(cfg)) sd.set(k, new TorchTensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1)));
  const file = path.join(dir, 'patch0.pth.tar');
  await writeTorchCheckpoint(file, new Map([['state_dict', sd]]));
  const out = path.join(dir, 'patch0.onnx');
  const c = capture();
  t.equal(await main(['convert', 'classifier', file, '--out', out], c.io), 1);
  t.match(c.err(), /patch0\.onnx: the converted model does not load in ONNX Runtime, nothing written: .*strides must only contain positive values \[ERR_CONVERT_INVALID_OUTPUT\]/);
  t.notOk(fs.existsSync(out), 'no output file');
  t.same(fs.readdirSync(dir).filter((f) => f.startsWith('patch0.onnx')), [], 'no temporary file left');
});

t.test('the model write step refuses bytes ONNX Runtime cannot load', async (t) => {
  const bad = path.join(dir, 'bad.onnx');
  await t.rejects(writeLoadableModel(bad, Buffer.from('not an ONNX protobuf')), { code: 'ERR_CONVERT_INVALID_OUTPUT', file: bad, message: /bad\.onnx: .*does not load in ONNX Runtime/ });
  // A graph whose node consumes a value nothing produces: encodes fine, ONNX Runtime refuses it.
  const dangling = new OnnxGraph('dangling');
  const x = dangling.input('input', [1, 3]);
  dangling.output(dangling.op('Add', [x, 'nowhere'], {}, 'add'), 'y');
  const broken = path.join(dir, 'dangling.onnx');
  await t.rejects(writeLoadableModel(broken, dangling.encode()), { code: 'ERR_CONVERT_INVALID_OUTPUT', file: broken });
  t.same(fs.readdirSync(dir).filter((f) => /^(bad|dangling)\.onnx/.test(f)), [], 'neither file nor temporary left');
  const g = new OnnxGraph('identity');
  g.output(g.op('Identity', [g.input('input', [1, 3])], {}, 'id'), 'y');
  const good = path.join(dir, 'good.onnx');
  await writeLoadableModel(good, g.encode());
  t.ok(fs.statSync(good).size > 0, 'a valid model is written');
});

const large = process.env.RSNA_RELIABILITY_LARGE === '1';
t.test('the real zip bomb: ~2 MB deflating to 2.2 GB', { timeout: 180_000, skip: large ? false : 'opt-in: RSNA_RELIABILITY_LARGE=1 (deflates 2.2 GB of zeros, ~10 s)' }, async (t) => {
  const inflated = 2.2e9;
  // Deflate 2.2 GB of zeros streamed, 16 MiB at a time; the CRC is kept honest so only the size can lie.
  const chunk = Buffer.alloc(16 << 20);
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (b: Buffer) => parts.push(b));
  let crc = 0;
  for (let left = inflated; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = zlib.crc32(piece, crc);
    if (!deflate.write(piece)) await new Promise((r) => deflate.once('drain', r));
  }
  await new Promise((r) => deflate.end(r));
  const body = Buffer.concat(parts);
  const pkl = Buffer.concat([op.proto, op.dict, op.stop]);
  // Two files: one declaring its true size, one lying (declares 1 MB, inflates to 2.2 GB).
  for (const [name, declared] of [['bomb-honest.pth', inflated], ['bomb-lying.pth', 1 << 20]] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, zip([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', body, size: declared, crc: crc >>> 0 }]));
    const rss = process.memoryUsage().rss;
    const t0 = Date.now();
    await t.rejects(readTorchCheckpoint(file), { code: /ERR_CHECKPOINT_(LIMIT|CORRUPT)/, message: new RegExp(`${name.replace('.', '\\.')}: `) }, name);
    const ms = Date.now() - t0;
    const grew = process.memoryUsage().rss - rss;
    t.ok(ms < 2000 && grew < 64 << 20, `${name} (${(fs.statSync(file).size / 2 ** 20).toFixed(2)} MiB) refused in ${ms} ms, RSS grew ${(grew / 2 ** 20).toFixed(1)} MiB`);
  }
});
