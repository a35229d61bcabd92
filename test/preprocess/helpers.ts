/**
 * Helpers of the preprocess tests: the golden generators' synthetic images (ported from
 * ../shared/golden/preprocess/README.md "Synthetic resize"), sha256 of typed arrays, and decoded RSNA
 * pixels for the goldens (Debian's `gdcmconv --raw`, checked against MANIFEST frame0_sha256).
 */
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { execFileSync } from 'child_process';
import { sharedPath } from '../helpers/shared';

/** lowbias32 of the README. */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

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
 * Stored values of an RSNA DICOM (frame 0), cast to int16 as the original does (§5, submit.py).
 * Decoded by `gdcmconv --raw` (cached under the OS temp dir) and verified against the manifest's
 * frame0_sha256, so the pixels are the reference decoding.
 */
export function decodeRsna(dicomRel: string): DecodedRsna {
  const manifest = readJson<Array<Record<string, any>>>('data/dicom/MANIFEST.json'); // eslint-disable-line @typescript-eslint/no-explicit-any
  const entry = manifest.find((e) => e.file === dicomRel);
  if (!entry) throw new Error(`${dicomRel} is not in MANIFEST.json`);
  const expected: string = entry.reference.frame0_sha256;
  const cacheDir = path.join(os.tmpdir(), 'rsna-mammo-test-decoded');
  fs.mkdirSync(cacheDir, { recursive: true });
  const cached = path.join(cacheDir, `${expected}.u16`);
  if (!fs.existsSync(cached)) {
    const tmp = path.join(cacheDir, `${expected}.${process.pid}.dcm`);
    execFileSync('gdcmconv', ['--raw', sharedPath(`data/dicom/${dicomRel}`) as string, tmp]);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const dicomParser = require('dicom-parser');
    const buf = fs.readFileSync(tmp);
    const ds = dicomParser.parseDicom(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    const el = ds.elements.x7fe00010;
    const bitsStored: number = entry.bits_stored;
    const px = new Uint16Array(entry.rows * entry.columns);
    const bytes = new Uint8Array(px.buffer);
    bytes.set(buf.subarray(el.dataOffset, el.dataOffset + px.byteLength));
    const mask = bitsStored >= 16 ? 0xffff : (1 << bitsStored) - 1;
    for (let i = 0; i < px.length; i++) px[i] &= mask;
    if (entry.pixel_representation !== 0) throw new Error('signed RSNA files are not expected here');
    if (sha256(px) !== expected) throw new Error(`${dicomRel}: gdcmconv decode does not match frame0_sha256`);
    fs.writeFileSync(`${cached}.${process.pid}`, bytes);
    fs.renameSync(`${cached}.${process.pid}`, cached);
    fs.unlinkSync(tmp);
  }
  const b = fs.readFileSync(cached);
  const u16 = new Uint16Array(b.byteLength / 2);
  new Uint8Array(u16.buffer).set(b);
  return { raw: new Int16Array(u16.buffer), rows: entry.rows, cols: entry.columns };
}

/** Whether gdcmconv is installed (the RSNA golden tests decode with it until our decoder is merged). */
export function hasGdcmconv(): boolean {
  try {
    execFileSync('gdcmconv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
