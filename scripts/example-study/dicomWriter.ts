/**
 * A minimal DICOM Part 10 writer (Explicit VR Little Endian, uncompressed) for the synthetic example
 * study: just enough attributes for a Digital Mammography image. Our own code; no RSNA file involved.
 */

/** One data element: tag as 0xGGGGEEEE, VR, and a string / numbers / raw bytes value. */
export interface Element {
  tag: number;
  vr: string;
  value: string | number[] | Uint8Array;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function valueBytes(e: Element): Uint8Array {
  if (e.value instanceof Uint8Array) return e.value;
  if (Array.isArray(e.value)) {
    const size = e.vr === 'US' ? 2 : 4;
    const out = new Uint8Array(e.value.length * size);
    const dv = new DataView(out.buffer);
    e.value.forEach((v, i) => (size === 2 ? dv.setUint16(i * 2, v, true) : dv.setUint32(i * 4, v, true)));
    return out;
  }
  const text = Buffer.from(e.value, 'latin1');
  if (text.length % 2 === 0) return new Uint8Array(text);
  // Even length: UI pads with NUL, text VRs with a space (PS3.5 §6.2).
  return new Uint8Array(Buffer.concat([text, Buffer.from([e.vr === 'UI' ? 0 : 0x20])]));
}

function encodeElement(e: Element): Uint8Array {
  const value = valueBytes(e);
  const long = LONG_VRS.has(e.vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, e.tag >>> 16, true);
  dv.setUint16(2, e.tag & 0xffff, true);
  head[4] = e.vr.charCodeAt(0);
  head[5] = e.vr.charCodeAt(1);
  if (long) dv.setUint32(8, value.length, true);
  else dv.setUint16(6, value.length, true);
  return new Uint8Array(Buffer.concat([head, value]));
}

/**
 * Encodes a DICOM file: 128-byte preamble, "DICM", file meta group (with its group length), dataset.
 * @param meta group 0002 elements except (0002,0000), which is computed.
 * @param dataset the other elements (sorted here by tag).
 */
export function encodeDicomFile(meta: Element[], dataset: Element[]): Buffer {
  const byTag = (a: Element, b: Element): number => a.tag - b.tag;
  const metaBody = Buffer.concat([...meta].sort(byTag).map(encodeElement));
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: [metaBody.length] });
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    groupLength,
    metaBody,
    ...[...dataset].sort(byTag).map(encodeElement),
  ]);
}
