/**
 * Generated hostile DICOM inputs for the reliability suite (test/reliability): Part 10 files built
 * byte by byte (many elements, deep sequences, a repeated group 0002) and real files whose pixel
 * fragment is replaced by a damaged codestream. Nothing here decodes; it only writes bytes.
 */
import * as dicomParser from 'dicom-parser';

/** One explicit VR little endian element. */
export function element(group: number, elem: number, vr: string, value: Buffer | number): Buffer {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const len = typeof value === 'number' ? value : value.length;
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(len >>> 0, 8);
  else head.writeUInt16LE(len, 6);
  return typeof value === 'number' ? head : Buffer.concat([head, value]);
}

const uid = (s: string): Buffer => Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1');

/** A Part 10 file: preamble, DICM, File Meta with `transferSyntax`, then `dataset` as given. */
export function part10(dataset: Buffer, transferSyntax = '1.2.840.10008.1.2.1'): Buffer {
  const body = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', uid('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0002, 0x0003, 'UI', uid('1.2.3.4')),
    element(0x0002, 0x0010, 'UI', uid(transferSyntax)),
  ]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), element(0x0002, 0x0000, 'UL', len), body, dataset]);
}

/** A dataset of `n` empty private LO elements (8 bytes each). */
export function manyElements(n: number): Buffer {
  const out = Buffer.alloc(8 * n);
  for (let i = 0; i < n; i++) {
    const p = 8 * i;
    out.writeUInt16LE(0x0009 + 2 * Math.floor(i / 0xff00), p); // private groups, elements 0x0010..0xff0f
    out.writeUInt16LE(0x0010 + (i % 0xff00), p + 2);
    out.write('LO', p + 4, 'latin1');
    out.writeUInt16LE(0, p + 6);
  }
  return part10(out);
}

/** A dataset of sequences nested `depth` deep (undefined lengths, properly closed). */
export function deepSequences(depth: number): Buffer {
  const open = Buffer.concat([element(0x0040, 0x0275, 'SQ', 0xffffffff), Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff])]);
  const close = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return part10(Buffer.concat([...Array(depth).fill(open), ...Array(depth).fill(close)]));
}

/** Where the US value of `tag` (e.g. 'x00280010') sits in a Part 10 file. */
export function valueOffset(bytes: Buffer, tag: string): number {
  const el = dicomParser.parseDicom(bytes).elements[tag];
  if (!el) throw new Error(`no ${tag}`);
  return el.dataOffset;
}

/** A copy with the US value of `tag` set. */
export function withUs(bytes: Buffer, tag: string, value: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt16LE(value, valueOffset(bytes, tag));
  return out;
}

/** The first pixel-data fragment of an encapsulated file (a single-fragment frame). */
export function firstFragment(bytes: Buffer): Buffer {
  const el = dicomParser.parseDicom(bytes).elements.x7fe00010;
  const f = el.fragments![0];
  return bytes.subarray(f.position, f.position + f.length);
}

/** A copy whose pixel data hold one fragment `codestream` (padded to even length) after an empty
 * Basic Offset Table; PixelData must be the last element. */
export function withCodestream(bytes: Buffer, codestream: Buffer): Buffer {
  const el = dicomParser.parseDicom(bytes).elements.x7fe00010;
  const body = codestream.length % 2 ? Buffer.concat([codestream, Buffer.alloc(1)]) : codestream;
  const item = Buffer.alloc(8);
  item.writeUInt16LE(0xfffe, 0);
  item.writeUInt16LE(0xe000, 2);
  item.writeUInt32LE(body.length, 4);
  const emptyBot = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
  const end = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return Buffer.concat([bytes.subarray(0, el.dataOffset), emptyBot, item, body, end]);
}

/** Byte offset of JPEG marker `marker` (e.g. 0xda for SOS) in a codestream, or -1. */
export function markerOffset(b: Buffer, marker: number): number {
  let p = 2;
  while (p + 4 <= b.length && b[p] === 0xff) {
    if (b[p + 1] === marker) return p;
    p += 2 + b.readUInt16BE(p + 2);
  }
  return -1;
}
