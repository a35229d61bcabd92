/**
 * What a bench run measures: the rows (stage × input set) of the quick and the full mode, the thread
 * counts, and how each row's outputs are compared. Inputs are the real DICOMs of ../shared (RSNA J2K
 * first) and synthetic mammogram-sized J2K / JPEG-Lossless files made at run time (synthetic.ts).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { BenchItem, Comparator, StageName } from './types';

export type Mode = 'quick' | 'full';

/** One planned row before thread counts are applied. */
export interface PlannedRow {
  stage: StageName;
  input: string;
  items: BenchItem[];
  comparator: Comparator;
  warmup: number;
  repeats: number;
  /** Which model set the stage uses ('small' or 'convnext_small' ensemble). */
  ensemble?: EnsembleSpec;
  /** Rows that only make sense at one thread count (the sweep runs at all cores). */
  threads?: number[];
  /** Decode rows: force this native codec on rsna-mammo's side (BenchJob.native_codec). */
  nativeCodec?: string;
}

/** A random-weight ConvNeXt ensemble (lib/models makeRandomConvnextCheckpoint), one seed per fold. */
export interface EnsembleSpec {
  name: string;
  depths: number[];
  dims: number[];
  folds: number;
}

export const ENSEMBLES: Record<'small' | 'convnext_small', EnsembleSpec> = {
  small: { name: 'small', depths: [1, 1, 1, 1], dims: [16, 32, 64, 128], folds: 4 },
  // ALGORITHMS.md §4.2: convnext_small depths/dims, 4 folds (§4.4).
  convnext_small: { name: 'convnext_small', depths: [3, 3, 27, 3], dims: [96, 192, 384, 768], folds: 4 },
};

/** The tolerances of same_output, from the goldens' noise notes. */
export const COMPARATORS: Record<StageName, Comparator> = {
  decode: { kind: 'hash' }, // stored values must be bit-identical (P1)
  detector_input: { kind: 'f32', tolerance: 1e-3 }, // torch CPU recipe: ≤ 3.1e-5 (golden/preprocess)
  otsu_roi: { kind: 'box' },
  classifier_input: { kind: 'u8', minEqualFraction: 0.999, maxDiff: 1 }, // spec P10
  yolox: { kind: 'f32', tolerance: 5e-3 }, // golden/README.md: raw_nodecode ≤ 5e-3
  ensemble: { kind: 'probs', tolerance: 1e-4 },
  e2e: { kind: 'probs', tolerance: 1e-4 },
  sweep: { kind: 'hash' },
};

/** A real DICOM of ../shared/data/dicom (MANIFEST.json row). */
export interface RealFile {
  id: string;
  path: string;
  syntax: string;
  rows: number;
  cols: number;
}

interface ManifestRow {
  file: string;
  transfer_syntax_uid: string;
  rows: number;
  columns: number;
  samples_per_pixel: number;
  number_of_frames: number;
}

/** RSNA J2K files first (the competition's), then the other single-frame grayscale J2K / JPEG-LL files. */
export function realFiles(sharedDir: string): RealFile[] {
  const manifest = path.join(sharedDir, 'data', 'dicom', 'MANIFEST.json');
  if (!fs.existsSync(manifest)) return [];
  const rows = JSON.parse(fs.readFileSync(manifest, 'utf8')) as ManifestRow[];
  const wanted = new Set(['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.70']);
  return rows
    .filter((r) => wanted.has(r.transfer_syntax_uid) && r.samples_per_pixel === 1 && r.number_of_frames === 1)
    .map((r) => ({
      id: r.file.replace(/\.dcm$/, '').replace(/[^A-Za-z0-9]+/g, '-'),
      path: path.join(sharedDir, 'data', 'dicom', r.file),
      syntax: r.transfer_syntax_uid.endsWith('.90') ? 'j2k' : 'jll',
      rows: r.rows,
      cols: r.columns,
    }))
    .sort((a, b) => Number(b.path.includes('rsna-kaggle')) - Number(a.path.includes('rsna-kaggle')));
}

/** Synthetic sizes (rows × cols) per mode; 5355×4915 is the largest RSNA size (docs/ALGORITHMS.md goldens). */
export const SYNTHETIC_SIZES: Record<Mode, Array<[number, number]>> = {
  quick: [[2294, 1914]],
  full: [[2294, 1914], [3328, 2560], [4096, 3328], [5355, 4915]],
};

export const SWEEP_COUNTS: Record<Mode, number[]> = { quick: [1, 4], full: [1, 4, 16, 64] };

/** Thread counts: 1 and all cores (deduplicated on a 1-core machine). */
export function threadCounts(): number[] {
  const all = Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  return [...new Set([1, all])];
}

export const item = (f: { id: string; path: string }): BenchItem => ({ id: f.id, dicom: f.path });
