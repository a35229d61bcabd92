/**
 * The canonical stored-value form of a frame (MANIFEST.json / issue 2): samples interleaved, the
 * natural dtype of BitsAllocated and PixelRepresentation, each value reduced to its low BitsStored
 * bits and sign-extended when PixelRepresentation is 1. Used for native (uncompressed) frames and
 * for the WASM codecs' output; the C++ codecs apply the same rule (native/dicom/frame_spec.h).
 */
import type { StoredPixels } from './types';

/** The header facts the canonical form depends on. */
export interface StoredLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
}

/** An empty array of the natural dtype for `count` samples. */
export function allocateStored(layout: StoredLayout, count: number): StoredPixels {
  const signed = layout.pixelRepresentation === 1;
  switch (layout.bitsAllocated) {
    case 8: return signed ? new Int8Array(count) : new Uint8Array(count);
    case 16: return signed ? new Int16Array(count) : new Uint16Array(count);
    default: return signed ? new Int32Array(count) : new Uint32Array(count);
  }
}

/** Wraps canonical little-endian bytes (from the native addon) in the natural dtype, without copying. */
export function viewStored(layout: StoredLayout, buffer: ArrayBuffer): StoredPixels {
  const signed = layout.pixelRepresentation === 1;
  switch (layout.bitsAllocated) {
    case 8: return signed ? new Int8Array(buffer) : new Uint8Array(buffer);
    case 16: return signed ? new Int16Array(buffer) : new Uint16Array(buffer);
    default: return signed ? new Int32Array(buffer) : new Uint32Array(buffer);
  }
}

/**
 * Reduces decoder sample values to canonical stored values.
 * @param values decoder output (any integer values: codestream precision/sign may differ from the header)
 * @param layout the DICOM header facts
 * @param planar true when `values` holds whole planes one after another (PlanarConfiguration 1)
 */
export function canonicalize(values: ArrayLike<number>, layout: StoredLayout, planar = false): StoredPixels {
  const spp = layout.samplesPerPixel;
  const count = layout.rows * layout.columns * spp;
  const out = allocateStored(layout, count);
  const ba = layout.bitsAllocated;
  const bs = layout.bitsStored;
  const signed = layout.pixelRepresentation === 1;
  const maskBa = ba === 32 ? 0xffffffff : (1 << ba) - 1;
  const maskBs = bs === 32 ? 0xffffffff : 2 ** bs - 1;
  const half = 2 ** (bs - 1);
  const reduce = (v: number): number => {
    // `>>> 0` keeps the 32-bit two's-complement pattern of negative decoder values.
    let r = ((v >>> 0) & maskBa) >>> 0;
    r = (r & maskBs) >>> 0;
    return signed && r >= half ? r - 2 * half : r;
  };
  const pixels = layout.rows * layout.columns;
  if (planar && spp > 1) {
    for (let c = 0; c < spp; c++) for (let i = 0; i < pixels; i++) out[i * spp + c] = reduce(values[c * pixels + i]);
  } else {
    for (let i = 0; i < count; i++) out[i] = reduce(values[i]);
  }
  return out;
}

/** Reads native pixel bytes (little or big endian) as unsigned BitsAllocated-bit integers. */
export function readNativeSamples(bytes: Uint8Array, bitsAllocated: number, bigEndian: boolean): ArrayLike<number> {
  if (bitsAllocated === 8) return bytes;
  const size = bitsAllocated / 8;
  const count = Math.floor(bytes.length / size);
  const copy = new Uint8Array(count * size);
  copy.set(bytes.subarray(0, count * size));
  if (bigEndian) {
    const buf = Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
    if (size === 2) buf.swap16();
    else buf.swap32();
  }
  return size === 2 ? new Uint16Array(copy.buffer) : new Uint32Array(copy.buffer);
}
