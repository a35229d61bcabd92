/**
 * Synthetic mammogram-sized inputs for the scale runs: a 12-bit breast-like image (half ellipse on
 * one side, pectoral triangle, bright label, hash noise) written as an uncompressed DICOM by our
 * writer, then encoded as JPEG 2000 lossless (.90) and JPEG Lossless SV1 (.70) by GDCM's native
 * encoders (`gdcmconv`, Debian libgdcm-tools). Files are cached by size and seed; never committed.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { writeMonochromeDicom } from './dicom-writer';

export type SyntheticSyntax = 'j2k' | 'jll';

export const TRANSFER_SYNTAX: Record<SyntheticSyntax, string> = {
  j2k: '1.2.840.10008.1.2.4.90',
  jll: '1.2.840.10008.1.2.4.70',
};

/** lowbias32 of golden/preprocess/README.md (synthetic inputs): a cheap, good 32-bit mix. */
export function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The golden generator's synthetic uint8 image: u8[i] = lowbias32(i + seed·0x9E3779B9) >> 24. */
export function synthU8(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  const offset = Math.imul(seed, 0x9e3779b9) >>> 0;
  for (let i = 0; i < length; i++) out[i] = lowbias32((i + offset) >>> 0) >>> 24;
  return out;
}

/** 12-bit stored values of a breast-like image, row-major. Deterministic in (rows, cols, seed). */
export function syntheticMammogram(rows: number, cols: number, seed: number): Uint16Array {
  const px = new Uint16Array(rows * cols);
  const right = seed % 2 === 1; // breast attached to the right edge on odd seeds
  const cy = rows * 0.5;
  const ry = rows * 0.46;
  const rx = cols * 0.72;
  const salt = Math.imul(seed + 1, 0x9e3779b9) >>> 0;
  for (let y = 0; y < rows; y++) {
    const dy = (y - cy) / ry;
    for (let x = 0; x < cols; x++) {
      const xe = right ? cols - 1 - x : x;
      const d2 = (xe / rx) ** 2 + dy * dy;
      const n = lowbias32((y * cols + x + salt) >>> 0);
      let v: number;
      if (d2 < 1) {
        const tissue = 1100 + 1900 * Math.sqrt(1 - d2);
        const texture = ((n >>> 20) - 2048) / 10; // ±205
        v = tissue + texture;
        if (xe < cols * 0.3 - (y * cols * 0.3) / (rows * 0.35)) v += 900; // pectoral muscle
      } else {
        v = 40 + (n >>> 28); // detector background
      }
      if (y > rows * 0.04 && y < rows * 0.08 && xe > cols * 0.82 && xe < cols * 0.95) v = 4000; // label
      px[y * cols + x] = Math.max(0, Math.min(4095, Math.round(v)));
    }
  }
  return px;
}

export interface SyntheticFile {
  id: string;
  path: string;
  syntax: SyntheticSyntax;
  rows: number;
  cols: number;
}

/** Whether the native encoder this module uses is installed. */
export function encoderAvailable(): string | undefined {
  try {
    execFileSync('gdcmconv', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'gdcmconv (Debian libgdcm-tools) is not installed: run `bash scripts/install-system-deps.sh --bench`';
  }
}

/** Makes (or reuses from `cacheDir`) a synthetic DICOM of the given size, seed and syntax. */
export function syntheticDicom(cacheDir: string, rows: number, cols: number, seed: number, syntax: SyntheticSyntax): SyntheticFile {
  fs.mkdirSync(cacheDir, { recursive: true });
  const id = `synthetic-${rows}x${cols}-s${seed}-${syntax}`;
  const out = path.join(cacheDir, `${id}.dcm`);
  if (!fs.existsSync(out)) {
    const raw = path.join(cacheDir, `synthetic-${rows}x${cols}-s${seed}-raw.dcm`);
    if (!fs.existsSync(raw)) {
      const dicom = writeMonochromeDicom({
        rows,
        columns: cols,
        bitsStored: 12,
        pixels: syntheticMammogram(rows, cols, seed),
        photometric: 'MONOCHROME2',
        windowCenter: 2047,
        windowWidth: 4096,
        name: id,
      });
      fs.writeFileSync(`${raw}.part`, dicom);
      fs.renameSync(`${raw}.part`, raw);
    }
    // gdcmconv compresses losslessly unless --lossy: --j2k → .90, --jpeg → .70 (process 14, SV1).
    execFileSync('gdcmconv', [syntax === 'j2k' ? '--j2k' : '--jpeg', raw, `${out}.part`], { stdio: 'pipe' });
    fs.renameSync(`${out}.part`, out);
  }
  return { id, path: out, syntax, rows, cols };
}
