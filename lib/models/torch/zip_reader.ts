/**
 * Random-access reader for the zip container torch.save writes (torch >= 1.6): entries are usually
 * stored uncompressed and 64-byte aligned; zip64 records appear for large files. Deflated entries
 * (a re-zipped checkpoint) are inflated. Every entry is CRC-checked so a corrupt file fails loudly.
 */
import fs from 'fs';
import zlib from 'zlib';
import { RsnaMammoError } from '../../errors';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** Largest inflated entry, and the largest inflate ratio (a zip bomb expands 1 MB into GBs). */
const MAX_ENTRY_BYTES = 2 ** 31;
const MAX_INFLATE_RATIO = 100;
const MIN_RATIO_ALLOWANCE = 16 << 20;

function corrupt(file: string, problem: string): RsnaMammoError {
  return new RsnaMammoError('ERR_CHECKPOINT_CORRUPT', problem, { file });
}

/** An open zip archive; call `close()` when done. */
export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private constructor(readonly file: string, private readonly fd: number, readonly fileSize: number) {}

  /** Opens `file` and reads its central directory. @throws RsnaMammoError ERR_CHECKPOINT_CORRUPT */
  static open(file: string): ZipReader {
    const fd = fs.openSync(file, 'r');
    try {
      const zip = new ZipReader(file, fd, fs.fstatSync(fd).size);
      zip.readCentralDirectory();
      return zip;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private readAt(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.fileSize) {
      throw corrupt(this.file, `truncated or corrupt zip: needs bytes ${offset}..${offset + length} but the file has ${this.fileSize}`);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, offset + done);
      if (n <= 0) throw corrupt(this.file, `unexpected end of file at byte ${offset + done}`);
      done += n;
    }
    return buf;
  }

  private readCentralDirectory(): void {
    // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
    const tailLen = Math.min(this.fileSize, 22 + 65535);
    const tail = this.readAt(this.fileSize - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === SIG_EOCD) { eocd = i; break; }
    }
    if (eocd < 0) {
      const head = this.fileSize >= 2 ? this.readAt(0, 2) : Buffer.alloc(0);
      if (head.length === 2 && head[0] === 0x80) {
        throw corrupt(this.file, 'legacy (pre-zip, torch < 1.6) torch.save format is not supported; re-save it with a newer torch');
      }
      throw corrupt(this.file, 'not a torch zip checkpoint or truncated: end-of-central-directory record not found');
    }
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const locatorAt = eocd - 20;
    if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === SIG_EOCD64_LOCATOR) {
      const eocd64Offset = Number(tail.readBigUInt64LE(locatorAt + 8));
      const rec = this.readAt(eocd64Offset, 56);
      if (rec.readUInt32LE(0) !== SIG_EOCD64) throw corrupt(this.file, 'bad zip64 end-of-central-directory record');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = this.readAt(cdOffset, cdSize);
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt(this.file, `bad central directory entry #${i}`);
      const method = cd.readUInt16LE(p + 10);
      const crc32 = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extended information: only the fields saturated in the fixed header are present, in order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) { size = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (localHeaderOffset === 0xffffffff) { localHeaderOffset = Number(cd.readBigUInt64LE(q)); q += 8; }
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, compressedSize, size, crc32, localHeaderOffset });
      p = extraEnd + commentLen;
    }
  }

  /** The bytes of entry `name` (inflated, CRC-checked). */
  read(name: string): Buffer {
    const entry = this.entry(name);
    const local = this.readAt(entry.localHeaderOffset, 30);
    return this.decode(entry, this.readAt(this.dataStart(entry, local), entry.compressedSize));
  }

  /** Like `read`, but the file reads do not block the event loop. */
  async readAsync(name: string): Promise<Buffer> {
    const entry = this.entry(name);
    const local = await this.readAtAsync(entry.localHeaderOffset, 30);
    return this.decode(entry, await this.readAtAsync(this.dataStart(entry, local), entry.compressedSize));
  }

  private entry(name: string): ZipEntry {
    const entry = this.entries.get(name);
    if (!entry) throw corrupt(this.file, `zip entry "${name}" is missing`);
    return entry;
  }

  private dataStart(entry: ZipEntry, local: Buffer): number {
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(this.file, `bad local header for zip entry "${entry.name}"`);
    return entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  }

  private async readAtAsync(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset + length > this.fileSize) {
      throw corrupt(this.file, `truncated or corrupt zip: needs bytes ${offset}..${offset + length} but the file has ${this.fileSize}`);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = await new Promise<number>((resolve, reject) => {
        fs.read(this.fd, buf, done, length - done, offset + done, (err, bytes) => (err ? reject(err) : resolve(bytes)));
      });
      if (n <= 0) throw corrupt(this.file, `unexpected end of file at byte ${offset + done}`);
      done += n;
    }
    return buf;
  }

  private decode(entry: ZipEntry, raw: Buffer): Buffer {
    const name = entry.name;
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      // The output is capped before inflating: at the declared size, which itself must be plausible.
      const cap = Math.min(MAX_ENTRY_BYTES, Math.max(MIN_RATIO_ALLOWANCE, raw.length * MAX_INFLATE_RATIO));
      if (entry.size > cap) {
        throw new RsnaMammoError('ERR_CHECKPOINT_LIMIT', `zip entry "${name}" claims ${entry.size} bytes from ${raw.length} compressed (limit ${cap}: a zip bomb?)`, { file: this.file });
      }
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (err) {
        throw corrupt(this.file, `zip entry "${name}" does not inflate: ${(err as Error).message}`);
      }
    } else throw corrupt(this.file, `zip entry "${name}" uses unsupported compression method ${entry.method}`);
    if (data.length !== entry.size) throw corrupt(this.file, `zip entry "${name}" has ${data.length} bytes, expected ${entry.size}`);
    if (zlib.crc32(data) >>> 0 !== entry.crc32 >>> 0) throw corrupt(this.file, `zip entry "${name}" fails its CRC check (corrupt file)`);
    return data;
  }
}
