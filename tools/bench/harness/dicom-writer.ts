/**
 * A minimal DICOM Part 10 writer (Explicit VR Little Endian, uncompressed) for the benchmark's
 * synthetic mammograms: one 16-bit grayscale frame with the tags the pipeline reads (ALGORITHMS.md §1.3).
 * The compressed copies are made from this file by a native encoder (see synthetic.ts).
 */
import crypto from 'crypto';

type Vr = 'UI' | 'CS' | 'LO' | 'DS' | 'US' | 'OB' | 'OW' | 'UL' | 'SH' | 'PN' | 'DA';

interface Element {
  group: number;
  element: number;
  vr: Vr;
  value: Buffer;
}

const LONG_VRS = new Set<Vr>(['OB', 'OW']);

function text(vr: Vr, s: string): Buffer {
  // UI values pad with NUL, other text VRs with a space, to an even length.
  const pad = s.length % 2 ? (vr === 'UI' ? '\0' : ' ') : '';
  return Buffer.from(s + pad, 'latin1');
}

function us(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

function encode(e: Element): Buffer {
  const long = LONG_VRS.has(e.vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(e.group, 0);
  head.writeUInt16LE(e.element, 2);
  head.write(e.vr, 4, 'latin1');
  if (long) head.writeUInt32LE(e.value.length, 8);
  else head.writeUInt16LE(e.value.length, 6);
  return Buffer.concat([head, e.value]);
}

/** A UID under the 2.25 (UUID) root, stable for a given name. */
export function uidFor(name: string): string {
  const hex = crypto.createHash('sha256').update(name).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

export interface MonochromeFrame {
  rows: number;
  columns: number;
  bitsStored: number;
  /** Stored values, row-major. */
  pixels: Uint16Array;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  windowCenter?: number;
  windowWidth?: number;
  /** Names the UIDs (stable per name). */
  name: string;
}

/** Writes a Digital Mammography (For Presentation) object, Explicit VR LE, as a Buffer. */
export function writeMonochromeDicom(f: MonochromeFrame): Buffer {
  const sopClass = '1.2.840.10008.5.1.4.1.1.1.2'; // Digital Mammography X-Ray Image Storage - For Presentation
  const sopInstance = uidFor(`${f.name}/instance`);
  const ts = '1.2.840.10008.1.2.1';
  const meta: Element[] = [
    { group: 2, element: 0x0001, vr: 'OB', value: Buffer.from([0, 1]) },
    { group: 2, element: 0x0002, vr: 'UI', value: text('UI', sopClass) },
    { group: 2, element: 0x0003, vr: 'UI', value: text('UI', sopInstance) },
    { group: 2, element: 0x0010, vr: 'UI', value: text('UI', ts) },
    { group: 2, element: 0x0012, vr: 'UI', value: text('UI', uidFor('rsna-mammo/bench')) },
  ];
  const metaBody = Buffer.concat(meta.map(encode));
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaBody.length);
  const pixelBytes = Buffer.from(f.pixels.buffer, f.pixels.byteOffset, f.pixels.byteLength);
  const data: Element[] = [
    { group: 0x0008, element: 0x0016, vr: 'UI', value: text('UI', sopClass) },
    { group: 0x0008, element: 0x0018, vr: 'UI', value: text('UI', sopInstance) },
    { group: 0x0008, element: 0x0060, vr: 'CS', value: text('CS', 'MG') },
    { group: 0x0010, element: 0x0020, vr: 'LO', value: text('LO', 'BENCH') },
    { group: 0x0020, element: 0x000d, vr: 'UI', value: text('UI', uidFor(`${f.name}/study`)) },
    { group: 0x0020, element: 0x000e, vr: 'UI', value: text('UI', uidFor(`${f.name}/series`)) },
    { group: 0x0028, element: 0x0002, vr: 'US', value: us(1) },
    { group: 0x0028, element: 0x0004, vr: 'CS', value: text('CS', f.photometric) },
    { group: 0x0028, element: 0x0010, vr: 'US', value: us(f.rows) },
    { group: 0x0028, element: 0x0011, vr: 'US', value: us(f.columns) },
    { group: 0x0028, element: 0x0100, vr: 'US', value: us(16) },
    { group: 0x0028, element: 0x0101, vr: 'US', value: us(f.bitsStored) },
    { group: 0x0028, element: 0x0102, vr: 'US', value: us(f.bitsStored - 1) },
    { group: 0x0028, element: 0x0103, vr: 'US', value: us(0) },
    ...(f.windowCenter !== undefined && f.windowWidth !== undefined
      ? [
          { group: 0x0028, element: 0x1050, vr: 'DS' as Vr, value: text('DS', String(f.windowCenter)) },
          { group: 0x0028, element: 0x1051, vr: 'DS' as Vr, value: text('DS', String(f.windowWidth)) },
        ]
      : []),
    { group: 0x7fe0, element: 0x0010, vr: 'OW', value: pixelBytes },
  ];
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    encode({ group: 2, element: 0x0000, vr: 'UL', value: groupLength }),
    metaBody,
    ...data.map(encode),
  ]);
}
