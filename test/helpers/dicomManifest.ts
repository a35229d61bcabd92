/** The DICOM test corpus manifest (../shared/data/dicom/MANIFEST.json; see its README.md). */
import fs from 'fs';
import path from 'path';
import { sharedPath } from './shared';

export interface ManifestRender {
  voi: string;
  sha256_8bit: string;
  mean: number;
  min: number;
  max: number;
  histogram256: number[];
}

export interface ManifestEntry {
  file: string;
  transfer_syntax_uid: string;
  rows: number;
  columns: number;
  number_of_frames: number;
  lossy_transfer_syntax: boolean;
  source: { license: string };
  reference: {
    frame0_sha256?: string;
    all_frames_sha256?: string;
    frame0_min?: number;
    frame0_max?: number;
    decoders: Record<string, { ok: boolean; frame0_sha256?: string }>;
  };
  display_reference?: { renders: ManifestRender[] };
}

export const DICOM_DIR = 'data/dicom';

/** The manifest entries, or [] when ../shared is absent. */
export function dicomManifest(): ManifestEntry[] {
  const p = sharedPath(`${DICOM_DIR}/MANIFEST.json`);
  return p ? (JSON.parse(fs.readFileSync(p, 'utf8')) as ManifestEntry[]) : [];
}

/** Absolute path of a manifest file. */
export function dicomFile(entry: ManifestEntry): string {
  return path.join(sharedPath(DICOM_DIR) ?? '', entry.file);
}

/**
 * Whether two 8-bit images can differ by at most ±1 per pixel, judged from histograms alone:
 * then #{ours ≤ k−1} ≤ #{ref ≤ k} ≤ #{ours ≤ k+1} for every k (a necessary condition).
 */
export function histogramsWithinOne(ours: number[], ref: number[]): boolean {
  const cum = (h: number[]): number[] => h.reduce<number[]>((acc, v, i) => (acc.push((i ? acc[i - 1] : 0) + v), acc), []);
  const a = cum(ours), b = cum(ref);
  for (let k = 0; k < 256; k++) {
    const lo = k > 0 ? a[k - 1] : 0, hi = k < 255 ? a[k + 1] : a[255];
    if (b[k] < lo || b[k] > hi) return false;
  }
  return true;
}

/** 256-bin histogram of 8-bit values. */
export function histogram256(pixels: Uint8Array): number[] {
  const h = new Array<number>(256).fill(0);
  for (const v of pixels) h[v]++;
  return h;
}
