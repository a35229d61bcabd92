/**
 * torch.save-compatible writer: zip container (stored entries, data 64-byte aligned like PyTorch's
 * writer) with `<prefix>/data.pkl`, `<prefix>/byteorder`, `<prefix>/data/<key>`, `<prefix>/version`.
 * The prefix is the file's base name without its last extension, as torch.save does
 * (`tmp.pth.tar` → `tmp.pth/`). Readable by torch.load (checked in the benchmark's Python peer).
 */
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { RsnaMammoError } from '../../errors';
import { Pickler } from './pickler';
import { encodeElements } from './dtype_codec';
import { writeFileAtomicWith } from '../../util/writeFileAtomic';

const ALIGNMENT = 64;

interface CentralRecord {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
}

/** Streams stored zip entries to a file descriptor. */
class ZipWriter {
  private offset = 0;
  private records: CentralRecord[] = [];
  constructor(private readonly fd: number, private readonly file: string) {}

  private write(buf: Buffer): void {
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done);
    this.offset += buf.length;
  }

  add(name: string, data: Buffer): void {
    if (this.offset + data.length > 0xfffffff0 || data.length > 0xfffffff0) {
      throw new RsnaMammoError('ERR_CHECKPOINT_TOO_LARGE', 'checkpoints over 4 GiB (zip64) are not written by this writer', { file: this.file });
    }
    const nameBuf = Buffer.from(name, 'utf8');
    // Pad with an extra field ('FB' like PyTorch) so the data starts on a 64-byte boundary.
    const base = this.offset + 30 + nameBuf.length;
    let pad = (ALIGNMENT - ((base + 4) % ALIGNMENT)) % ALIGNMENT;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x4246, 0);
    extra.writeUInt16LE(pad, 2);
    pad = extra.length;
    const crc = zlib.crc32(data) >>> 0;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0, 6); // flags
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt32LE(0, 10); // time/date
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBuf.length, 26);
    header.writeUInt16LE(extra.length, 28);
    this.records.push({ name: nameBuf, crc, size: data.length, offset: this.offset });
    this.write(header);
    this.write(nameBuf);
    this.write(extra);
    this.write(data);
  }

  finish(): void {
    const cdStart = this.offset;
    for (const r of this.records) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt32LE(r.crc, 16);
      h.writeUInt32LE(r.size, 20);
      h.writeUInt32LE(r.size, 24);
      h.writeUInt16LE(r.name.length, 28);
      h.writeUInt32LE(r.offset, 42);
      this.write(h);
      this.write(r.name);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(this.records.length, 8);
    eocd.writeUInt16LE(this.records.length, 10);
    eocd.writeUInt32LE(this.offset - cdStart, 12);
    eocd.writeUInt32LE(cdStart, 16);
    this.write(eocd);
  }
}

/**
 * Writes `obj` like torch.save (protocol 2). Maps become collections.OrderedDict, plain objects dict,
 * arrays list (PyTuple for tuples), TorchTensor tensors, PickleObject class instances/calls.
 * @param file destination (the zip record prefix is its base name without the last extension)
 * @example await writeTorchCheckpoint('w.pth', new Map([['fc.weight', new TorchTensor('float32', [1, 4], new Float32Array(4))]]))
 */
export async function writeTorchCheckpoint(file: string, obj: unknown): Promise<void> {
  const pickler = new Pickler();
  const pkl = pickler.dump(obj);
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  const prefix = `${dot > 0 ? base.slice(0, dot) : base || 'archive'}/`;
  await writeFileAtomicWith(file, async (fd) => {
    const zip = new ZipWriter(fd, file);
    zip.add(`${prefix}data.pkl`, pkl);
    zip.add(`${prefix}byteorder`, Buffer.from('little'));
    for (let i = 0; i < pickler.tensors.length; i++) {
      const t = pickler.tensors[i];
      zip.add(`${prefix}data/${i}`, encodeElements(t.data, t.dtype));
      if (i % 16 === 15) await new Promise((r) => setImmediate(r)); // let timers run during big writes
    }
    zip.add(`${prefix}version`, Buffer.from('3\n'));
    zip.finish();
  });
}
