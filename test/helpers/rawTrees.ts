/**
 * Miniature raw dataset trees for stage-1 tests: a subset of the real file list
 * (../shared/data/original-assets/datasets-raw-layout/{ds}/pwd_structure.txt) recreated with small
 * synthetic files (DICOM headers carrying the values the cleaning reads; other files empty or given).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { readCsv } from '../../lib/data/csv';
import { sharedPath } from './shared';

export const ORIGINAL_ASSETS = 'data/original-assets';

/** Lines of a dataset's pwd_structure.txt (paths relative to the dataset root, without "./"). */
export function layoutFiles(dataset: string): string[] {
  const file = sharedPath(`${ORIGINAL_ASSETS}/datasets-raw-layout/${dataset}/pwd_structure.txt`)!;
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('./')).map((l) => l.slice(2));
}

/** A fresh temp folder laid out like SETTINGS.json folders: raw/, processed/. */
export function tempRoots(prefix: string): { root: string; raw: string; processed: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { root, raw: path.join(root, 'raw'), processed: path.join(root, 'processed') };
}

/** Rows of a shipped cleaned CSV as string arrays, keyed by image_id, plus the header. */
export function shippedCleaned(dataset: 'bmcd' | 'cmmd'): { header: string[]; rows: string[][]; byImage: Map<string, string[]> } {
  const t = readCsv(sharedPath(`${ORIGINAL_ASSETS}/assets/data/${dataset}_cleaned_label.csv`)!);
  const i = t.header.indexOf('image_id');
  return { header: t.header, rows: t.rows, byImage: new Map(t.rows.map((r) => [r[i], r])) };
}

/** Creates an empty file (and its folders). */
export function touch(file: string, data: string | Buffer = ''): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

/** The stage-1 context of dataset `ds` under temp roots (assets from this repository). */
export function stage1Context(raw: string, processed: string, ds: string) {
  const rawDir = path.join(raw, ds);
  return {
    rawDir,
    stage1Dir: path.join(rawDir, 'stage1_images'),
    cleanedLabelFile: path.join(processed, 'classification', ds, 'cleaned_label.csv'),
    cleanedImagesDir: path.join(processed, 'classification', ds, 'cleaned_images'),
    assetsDataDir: path.join(__dirname, '..', '..', 'assets', 'data'),
    log: () => undefined,
  };
}
