/**
 * Access to ../shared (real DICOMs, goldens, original assets). A user's clone has no ../shared:
 * tests that need it skip visibly with the reason, never pass silently.
 */
import fs from 'fs';
import path from 'path';

export const repoRoot: string = path.resolve(__dirname, '..', '..');
export const sharedDir: string = path.resolve(repoRoot, '..', 'shared');

/** Absolute path of `rel` inside ../shared, or undefined when it is absent. */
export function sharedPath(rel: string): string | undefined {
  const p = path.join(sharedDir, rel);
  return fs.existsSync(p) ? p : undefined;
}

/** tap options that skip a test visibly when `rel` is missing from ../shared. */
export function needsShared(rel: string): { skip: string | false } {
  return { skip: sharedPath(rel) ? false : `../shared/${rel} is absent (user clone): skipped` };
}

/** Reads a raw little-endian float32 golden file into a Float32Array (copy: alignment-safe). */
export function readF32(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Reads a raw little-endian float64 golden file. */
export function readF64(file: string): Float64Array {
  const buf = fs.readFileSync(file);
  const out = new Float64Array(buf.byteLength / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** The GPU tests skip by name when no usable GPU is present (never a pass without a GPU). */
export function needsGpu(available: boolean, what: string): { skip: string | false } {
  return { skip: available ? false : `no usable NVIDIA GPU here: GPU test "${what}" skipped` };
}
