/**
 * src/tools/cv_split.py (PIPELINE.md §8): 4-fold StratifiedGroupKFold(shuffle, seed 67) of the RSNA
 * cleaned labels, y = image-level `cancer`, groups = `patient_id`; writes train_fold_{i}.csv and
 * val_fold_{i}.csv (all columns, rows in input order) and folds.csv (patient_id,image_id,fold).
 */
import fs from 'fs';
import path from 'path';
import { columnIndex, readCsv, writeCsvAtomic } from './csv';
import { pandasRoundTrip } from './pandasCsv';
import { stratifiedGroupKFold } from './stratifiedGroupKFold';
import { RsnaMammoError } from '../errors';

export interface CvSplitOptions {
  /** cleaned_label.csv (or train.csv: the split only reads row order, cancer and patient_id). */
  csv: string;
  /** Output folder (created). */
  outDir: string;
  /** default 67 */
  seed?: number;
  /** default 4 */
  folds?: number;
}

export interface CvSplitResult {
  /** Validation fold of each input row, in input order. */
  fold: Int32Array;
  /** Files written. */
  files: string[];
  /** Per-fold validation counts. */
  perFold: { fold: number; images: number; patients: number; positiveImages: number }[];
}

/**
 * Splits and writes the fold files.
 * @throws RsnaMammoError naming the CSV when a column is missing or `cancer` is not 0/1
 */
export function runCvSplit(options: CvSplitOptions): CvSplitResult {
  const { csv, outDir, seed = 67, folds = 4 } = options;
  const table = readCsv(csv);
  const idx = columnIndex(table, ['patient_id', 'image_id', 'cancer'], csv);
  const y = table.rows.map((r, i) => {
    const v = Number(r[idx.cancer]);
    if (r[idx.cancer] === '' || !Number.isFinite(v)) throw new RsnaMammoError('ERR_CSV_VALUE', `row ${i + 2}: cancer "${r[idx.cancer]}" is not a number`, { file: csv });
    return v;
  });
  const groups = table.rows.map((r) => r[idx.patient_id]);
  const fold = stratifiedGroupKFold(y, groups, { nSplits: folds, seed });

  fs.mkdirSync(outDir, { recursive: true });
  const rows = table.rows.map((r) => [...r]);
  pandasRoundTrip(rows, table.header.length);
  const files: string[] = [];
  const perFold: CvSplitResult['perFold'] = [];
  for (let f = 0; f < folds; f++) {
    const val = rows.filter((_, i) => fold[i] === f);
    const train = rows.filter((_, i) => fold[i] !== f);
    for (const [name, part] of [[`train_fold_${f}.csv`, train], [`val_fold_${f}.csv`, val]] as const) {
      const file = path.join(outDir, name);
      writeCsvAtomic(file, table.header, part);
      files.push(file);
    }
    perFold.push({
      fold: f,
      images: val.length,
      patients: new Set(val.map((r) => r[idx.patient_id])).size,
      positiveImages: val.filter((r) => Number(r[idx.cancer]) === 1).length,
    });
  }
  const foldsFile = path.join(outDir, 'folds.csv');
  writeCsvAtomic(foldsFile, ['patient_id', 'image_id', 'fold'], table.rows.map((r, i) => [r[idx.patient_id], r[idx.image_id], String(fold[i])]));
  files.push(foldsFile);
  return { fold, files, perFold };
}
