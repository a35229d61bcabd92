/**
 * src/tools/cv_split.py (ALGORITHMS.md §8): 4-fold StratifiedGroupKFold(shuffle, seed 67) of the RSNA
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
  /** The original's fold_check assertions (§8.4) that do not hold, one line each (empty when all pass). */
  checkFailures: string[];
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
  const checkFailures = foldChecks(table.header, rows, fold, folds);
  const foldsFile = path.join(outDir, 'folds.csv');
  writeCsvAtomic(foldsFile, ['patient_id', 'image_id', 'fold'], table.rows.map((r, i) => [r[idx.patient_id], r[idx.image_id], String(fold[i])]));
  files.push(foldsFile);
  return { fold, files, perFold, checkFailures };
}

/**
 * cv_split.py `fold_check` (§8.4): no patient in both train and validation, mean age of site 1 < site 2
 * in the validation fold, share of validation patients with an implant in (0.01, 0.02). Checks whose
 * columns are absent are skipped.
 */
function foldChecks(header: string[], rows: string[][], fold: Int32Array, folds: number): string[] {
  const col = (n: string) => header.indexOf(n);
  const [pid, site, age, implant] = ['patient_id', 'site_id', 'age', 'implant'].map(col);
  const out: string[] = [];
  for (let f = 0; f < folds; f++) {
    const val = rows.filter((_, i) => fold[i] === f);
    const trainPatients = new Set(rows.filter((_, i) => fold[i] !== f).map((r) => r[pid]));
    const valPatients = new Set(val.map((r) => r[pid]));
    if ([...valPatients].some((p) => trainPatients.has(p))) out.push(`fold ${f}: a patient is in both train and validation`);
    if (site >= 0 && age >= 0) {
      const meanAge = (s: string) => {
        const ages = val.filter((r) => r[site] === s && r[age] !== '').map((r) => Number(r[age]));
        return ages.reduce((a, b) => a + b, 0) / ages.length;
      };
      if (!(meanAge('1') < meanAge('2'))) out.push(`fold ${f}: validation mean age of site 1 is not below site 2`);
    }
    if (implant >= 0) {
      const share = new Set(val.filter((r) => Number(r[implant]) === 1).map((r) => r[pid])).size / valPatients.size;
      if (!(share > 0.01 && share < 0.02)) out.push(`fold ${f}: implant patient share ${share.toFixed(4)} not in (0.01, 0.02)`);
    }
  }
  return out;
}
