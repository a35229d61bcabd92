// Hostile input, part 4: crafted checkpoints (lib/models/torch): a zip bomb, a stride-0 tensor, a
// negative storage offset, a pickle whose memo references expand to 2^40 values, malformed
// safetensors headers. Each must end in a typed error naming the file, fast and without the memory.
import fs from 'fs';
import os from 'os';
import path from 'path';
import zlib from 'zlib';
import t from 'tap';
import { readTorchCheckpoint } from '../../lib/models';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-ckpt-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A zip of `entries` (stored, or deflated when asked), as torch.save lays records out. */
function zip(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(e.deflate ? 8 : 0, 8);
    head.writeUInt32LE(zlib.crc32(e.data) >>> 0, 14);
    head.writeUInt32LE(body.length, 18);
    head.writeUInt32LE(e.data.length, 22);
    head.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(e.deflate ? 8 : 0, 10);
    cd.writeUInt32LE(zlib.crc32(e.data) >>> 0, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
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

/** {'w': _rebuild_tensor_v2(storage(numel), offset, size, stride)} with storage bytes `data`. */
function tensorCheckpoint(name: string, numel: number, offset: number, size: number[], stride: number[]): string {
  const storage = Buffer.concat([tuple(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int(numel)), op.persid]);
  const pkl = Buffer.concat([op.proto, op.dict, str('w'), global('torch._utils', '_rebuild_tensor_v2'),
    tuple(storage, int(offset), tuple(...size.map(int)), tuple(...stride.map(int)), op.false, op.dict), op.reduce, op.setitem, op.stop]);
  const file = path.join(dir, name);
  fs.writeFileSync(file, zip([{ name: 'archive/data.pkl', data: pkl }, { name: 'archive/data/0', data: Buffer.alloc(4 * numel) }]));
  return file;
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
