/**
 * Small readers of codestream headers, used before handing bytes to a WASM codec (which would
 * otherwise allocate whatever a damaged header claims) and to unwrap JP2 files (ALGORITHMS.md §1.1.2:
 * the RSNA fragments hold a whole JP2 file) for codecs that take bare codestreams.
 */

/** Frame header facts of a JPEG (SOFn) or JPEG-LS (SOF55) stream. */
export interface SofInfo {
  marker: number;
  precision: number;
  rows: number;
  columns: number;
  components: number;
}

/** Walks JPEG marker segments to the first SOF; undefined when there is none. */
export function readSof(b: Uint8Array): SofInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p += 1;
      continue;
    }
    const length = (b[p + 2] << 8) | b[p + 3];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (p + 10 > b.length) return undefined;
      return { marker, precision: b[p + 4], rows: (b[p + 5] << 8) | b[p + 6], columns: (b[p + 7] << 8) | b[p + 8], components: b[p + 9] };
    }
    if (length < 2) return undefined;
    p += 2 + length;
  }
  return undefined;
}

/** Image size of a J2K codestream (SIZ marker right after SOC). */
export function readSiz(b: Uint8Array): { rows: number; columns: number; components: number } | undefined {
  if (b.length < 42 || b[0] !== 0xff || b[1] !== 0x4f || b[2] !== 0xff || b[3] !== 0x51) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x1 = dv.getUint32(8), y1 = dv.getUint32(12), x0 = dv.getUint32(16), y0 = dv.getUint32(20);
  if (x1 < x0 || y1 < y0) return undefined;
  return { columns: x1 - x0, rows: y1 - y0, components: dv.getUint16(40) };
}

/** Whether `b` starts with the JP2 signature box. */
export function isJp2(b: Uint8Array): boolean {
  const sig = [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
  return b.length >= 12 && sig.every((v, i) => b[i] === v);
}

/** The contiguous codestream box (`jp2c`) of a JP2 file, found by walking the boxes. */
export function jp2Codestream(b: Uint8Array): Uint8Array | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  while (p + 8 <= b.length) {
    let length = dv.getUint32(p);
    const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    let header = 8;
    if (length === 1) {
      if (p + 16 > b.length) return undefined;
      length = Number(dv.getBigUint64(p + 8));
      header = 16;
    } else if (length === 0) {
      length = b.length - p;
    }
    if (length < header) return undefined;
    if (type === 'jp2c') return b.subarray(p + header, Math.min(b.length, p + length));
    p += length;
  }
  return undefined;
}
