/**
 * Helpers of the preprocess tests: the golden generators' synthetic images (ported from
 * ../shared/golden/preprocess/README.md "Synthetic resize"), sha256 of typed arrays, and decoded RSNA
 * pixels for the goldens (our decoder, checked against MANIFEST frame0_sha256).
 */
import crypto from 'crypto';
import fs from 'fs';
import { sharedPath } from '../helpers/shared';
import { decodeFrame, frameSha256, readDicom, toOriginalInt16 } from '../../lib/dicom';
import { lowbias32 } from '../../tools/bench/harness/synthetic';

/** u32[i] = lowbias32((i + seed·0x9E3779B9) mod 2^32). */
export function synthU32(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  const base = Number((BigInt(seed) * 0x9e3779b9n) & 0xffffffffn);
  for (let i = 0; i < n; i++) out[i] = lowbias32((i + base) >>> 0);
  return out;
}

/** make_common.synth_f32: f32(f32((u>>8)·2^-24)·255). */
export function synthF32(rows: number, cols: number, seed: number): Float32Array {
  const u = synthU32(rows * cols, seed);
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = Math.fround(Math.fround((u[i] >>> 8) / 16777216) * 255);
  return out;
}

/** make_common.synth_u8: u >> 24. */
export function synthU8(rows: number, cols: number, seed: number): Uint8Array {
  const u = synthU32(rows * cols, seed);
  const out = new Uint8Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i] >>> 24;
  return out;
}

/** sha256 of a typed array's little-endian bytes. */
export function sha256(a: ArrayBufferView): string {
  return crypto.createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

export const goldenDir = 'golden/preprocess';

/** Parsed JSON file from ../shared (the caller has checked it exists). */
export function readJson<T = any>(rel: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(fs.readFileSync(sharedPath(rel) as string, 'utf8')) as T;
}

/** Reads a raw golden file as bytes. */
export function readU8(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(sharedPath(rel) as string));
}

export interface DecodedRsna {
  raw: Int16Array;
  rows: number;
  cols: number;
}

/**
 * Stored values of an RSNA DICOM (frame 0) decoded by our DICOM reader (lib/dicom, native codecs),
 * checked against the MANIFEST's frame0_sha256, then cast to int16 as the original does (§1.2.3).
 */
export async function decodeRsna(dicomRel: string): Promise<DecodedRsna> {
  const manifest = readJson<Array<{ file: string; reference: { frame0_sha256: string } }>>('data/dicom/MANIFEST.json');
  const entry = manifest.find((e) => e.file === dicomRel);
  if (!entry) throw new Error(`${dicomRel} is not in MANIFEST.json`);
  const image = await readDicom(sharedPath(`data/dicom/${dicomRel}`) as string);
  const frame = await decodeFrame(image, 0);
  if (frameSha256(frame, image) !== entry.reference.frame0_sha256) throw new Error(`${dicomRel}: decoded frame does not match frame0_sha256`);
  return { raw: toOriginalInt16(frame), rows: image.rows, cols: image.columns };
}
