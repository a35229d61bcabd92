/**
 * Raw tensor bytes ↔ typed arrays for every dtype a checkpoint may hold. float16 and bfloat16 are
 * widened exactly to float32 on read and narrowed (round to nearest even) on write.
 */
import { DTYPE_BYTES, TensorArray, TorchDType } from './pickle_values';

/** IEEE half → float (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float → IEEE half bits, round to nearest even (as torch's `.half()`). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) {
    r++;
    if (r === 0x400) { r = 0; e++; if (e >= 31) return sign | 0x7c00; }
  }
  return sign | (e << 10) | r;
}

/** Decodes `raw` (little endian unless `bigEndian`) into a fresh, aligned typed array. */
export function decodeElements(raw: Buffer, dtype: TorchDType, bigEndian = false): TensorArray {
  const size = DTYPE_BYTES[dtype];
  const n = Math.floor(raw.length / size);
  let bytes = Buffer.from(raw.subarray(0, n * size)); // copy: alignment and independence from the file buffer
  if (bigEndian && size > 1) {
    bytes = size === 2 ? bytes.swap16() : size === 4 ? bytes.swap32() : bytes.swap64();
  }
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (dtype) {
    case 'float32': return new Float32Array(ab);
    case 'float64': return new Float64Array(ab);
    case 'int64': return new BigInt64Array(ab);
    case 'int32': return new Int32Array(ab);
    case 'int16': return new Int16Array(ab);
    case 'int8': return new Int8Array(ab);
    case 'uint8':
    case 'bool': return new Uint8Array(ab);
    case 'float16': {
      const src = new Uint16Array(ab);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]);
      return out;
    }
    case 'bfloat16': {
      const src = new Uint16Array(ab);
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
      return out;
    }
  }
}

/** Encodes a typed array as little-endian bytes of `dtype` (the inverse of decodeElements). */
export function encodeElements(data: TensorArray, dtype: TorchDType): Buffer {
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const out = new Uint16Array(data.length);
    const src = data as Float32Array;
    if (dtype === 'float16') for (let i = 0; i < src.length; i++) out[i] = floatToHalf(src[i]);
    else {
      for (let i = 0; i < src.length; i++) {
        f32[0] = src[i];
        const x = u32[0];
        out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16; // round to nearest even
      }
    }
    return Buffer.from(out.buffer);
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
