/**
 * A tiny DICOM writer for synthetic files (Explicit VR Little Endian, uncompressed pixels): enough for
 * the header values stage 1 reads and small native pixel arrays for stage 2. `reproduce --tiny` writes
 * its raw dataset with it; the tests write their synthetic files with it (test/helpers/dicomWriter.ts).
 * Attributes are given by keyword (lib/data/stage1/dicomKeywords.ts).
 */
import fs from 'fs';
import path from 'path';
import { DICOM_TAGS } from '../data/stage1/dicomKeywords';

export type DicomAttr = string | number | readonly (string | number)[] | { sequence: Record<string, DicomAttr>[] };

export interface SyntheticPixels {
  rows: number;
  columns: number;
  /** 16-bit unsigned samples (BitsAllocated 16) or 8-bit (BitsAllocated 8). */
  data: Uint16Array | Uint8Array;
}

const LONG_VR = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR']);

function pad(buf: Buffer, padByte: number): Buffer {
  return buf.length % 2 ? Buffer.concat([buf, Buffer.from([padByte])]) : buf;
}

function encodeValue(vr: string, value: DicomAttr): Buffer {
  if (typeof value === 'object' && !Array.isArray(value) && 'sequence' in value) {
    const items = value.sequence.map((item) => {
      const body = encodeDataset(item);
      const head = Buffer.alloc(8);
      head.writeUInt16LE(0xfffe, 0);
      head.writeUInt16LE(0xe000, 2);
      head.writeUInt32LE(body.length, 4);
      return Buffer.concat([head, body]);
    });
    return Buffer.concat(items);
  }
  const list = (Array.isArray(value) ? value : [value]) as (string | number)[];
  const binary: Record<string, [number, (b: Buffer, v: number, o: number) => void]> = {
    US: [2, (b, v, o) => b.writeUInt16LE(v, o)],
    SS: [2, (b, v, o) => b.writeInt16LE(v, o)],
    UL: [4, (b, v, o) => b.writeUInt32LE(v, o)],
    SL: [4, (b, v, o) => b.writeInt32LE(v, o)],
    FL: [4, (b, v, o) => b.writeFloatLE(v, o)],
    FD: [8, (b, v, o) => b.writeDoubleLE(v, o)],
  };
  if (binary[vr]) {
    const [size, write] = binary[vr];
    const b = Buffer.alloc(size * list.length);
    list.forEach((v, i) => write(b, Number(v), i * size));
    return b;
  }
  return pad(Buffer.from(list.map(String).join('\\'), 'latin1'), vr === 'UI' ? 0 : 0x20);
}

function encodeElement(tagHex: string, vr: string, value: Buffer): Buffer {
  const long = LONG_VR.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(parseInt(tagHex.slice(0, 4), 16), 0);
  head.writeUInt16LE(parseInt(tagHex.slice(4), 16), 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

function encodeDataset(attrs: Record<string, DicomAttr>): Buffer {
  const entries = Object.entries(attrs).map(([kw, v]) => {
    const tv = DICOM_TAGS[kw];
    if (!tv) throw new Error(`dicomWriter: unknown keyword ${kw}`);
    return { tag: tv[0], vr: tv[1], v };
  });
  entries.sort((a, b) => (a.tag < b.tag ? -1 : 1));
  return Buffer.concat(entries.map((e) => encodeElement(e.tag, e.vr, encodeValue(e.vr, e.v))));
}

/** Writes a Part-10 file with `attrs` (and native pixel data when given). */
export function writeSyntheticDicom(file: string, attrs: Record<string, DicomAttr>, pixels?: SyntheticPixels): void {
  const ts = '1.2.840.10008.1.2.1';
  const metaBody = Buffer.concat([
    encodeElement('00020001', 'OB', Buffer.from([0, 1])),
    encodeElement('00020002', 'UI', pad(Buffer.from('1.2.840.10008.5.1.4.1.1.1.2'), 0)),
    encodeElement('00020003', 'UI', pad(Buffer.from(String(attrs.SOPInstanceUID ?? '1.2.3.4')), 0)),
    encodeElement('00020010', 'UI', pad(Buffer.from(ts), 0)),
  ]);
  const groupLen = Buffer.alloc(4);
  groupLen.writeUInt32LE(metaBody.length);
  const meta = Buffer.concat([encodeElement('00020000', 'UL', groupLen), metaBody]);
  const all: Record<string, DicomAttr> = { ...attrs };
  if (pixels) {
    const bits = pixels.data instanceof Uint16Array ? 16 : 8;
    Object.assign(all, { SamplesPerPixel: 1, Rows: pixels.rows, Columns: pixels.columns, BitsAllocated: bits, BitsStored: all.BitsStored ?? bits, HighBit: Number(all.BitsStored ?? bits) - 1, PixelRepresentation: 0 });
    if (!all.PhotometricInterpretation) all.PhotometricInterpretation = 'MONOCHROME2';
  }
  const parts = [Buffer.alloc(128), Buffer.from('DICM'), meta, encodeDataset(all)];
  if (pixels) {
    const px = Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
    parts.push(encodeElement('7FE00010', pixels.data instanceof Uint16Array ? 'OW' : 'OB', pad(Buffer.from(px), 0)));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat(parts));
}
