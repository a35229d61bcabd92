/**
 * The classifier's training and validation sets (ALGORITHMS.md §9.4): RSNA train_fold_k.csv rows then
 * the external datasets bmcd, cddcesm, cmmd, miniddsm, vindr (cleaned_label.csv each, file order;
 * fully_reproduce takes the shipped BMCD/CMMD CSVs from ASSETS/data); validation = RSNA val_fold_k.csv.
 * Image of a row: {PROCESSED}/classification/{dataset}/cleaned_images/{patient_id}@{image_id}.png.
 */
import fs from 'fs';
import path from 'path';
import { columnIndex, CsvTable, readCsv } from '../data/csv';
import { RsnaMammoError } from '../errors';
import { Settings } from '../settings';
import { ReproduceMode } from './plan';

export const RSNA_DATASET = 'rsna-breast-cancer-detection';
export const EXTERNAL_DATASETS = ['bmcd', 'cddcesm', 'cmmd', 'miniddsm', 'vindr'] as const;

export interface Sample {
  png: string;
  target: number;
}

export interface ClassifierData {
  train: Sample[];
  /** Validation samples, in val CSV row order. */
  val: Sample[];
  /** The validation CSV (its columns go into pred_{e}.csv). */
  valTable: CsvTable;
  valCsv: string;
  /** Files read, and external label CSVs that were absent (skipped with a warning). */
  sources: string[];
  missingExternal: string[];
}

function samplesOf(table: CsvTable, file: string, imagesDir: string): Sample[] {
  const idx = columnIndex(table, ['patient_id', 'image_id', 'cancer'], file);
  return table.rows.map((r, i) => {
    const target = Number(r[idx.cancer]);
    if (r[idx.cancer] === '' || !Number.isFinite(target)) {
      throw new RsnaMammoError('ERR_CSV_VALUE', `row ${i + 2}: cancer "${r[idx.cancer]}" is not a number`, { file });
    }
    return { png: path.join(imagesDir, `${r[idx.patient_id]}@${r[idx.image_id]}.png`), target };
  });
}

function readRequired(file: string): CsvTable {
  if (!fs.existsSync(file)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'not found (run rsna-mammo cv-split / prepare first)', { file });
  return readCsv(file);
}

/** Reads fold `fold`'s sets; `external: false` trains on RSNA only (not the original's recipe). */
export function readClassifierData(settings: Settings, fold: number, mode: ReproduceMode, external = true): ClassifierData {
  const cls = path.join(settings.PROCESSED_DATA_DIR, 'classification');
  const rsnaImages = path.join(cls, RSNA_DATASET, 'cleaned_images');
  const cvDir = path.join(cls, RSNA_DATASET, 'cv', 'v2');
  const trainCsv = path.join(cvDir, `train_fold_${fold}.csv`);
  const valCsv = path.join(cvDir, `val_fold_${fold}.csv`);
  const train = samplesOf(readRequired(trainCsv), trainCsv, rsnaImages);
  const valTable = readRequired(valCsv);
  columnIndex(valTable, ['site_id', 'patient_id', 'laterality'], valCsv);
  const val = samplesOf(valTable, valCsv, rsnaImages);
  const sources = [trainCsv, valCsv];
  const missingExternal: string[] = [];
  if (external) {
    for (const ds of EXTERNAL_DATASETS) {
      const shipped = mode === 'fully_reproduce' && (ds === 'bmcd' || ds === 'cmmd');
      const csv = shipped ? path.join(settings.ASSETS_DIR, 'data', `${ds}_cleaned_label.csv`) : path.join(cls, ds, 'cleaned_label.csv');
      if (!fs.existsSync(csv)) {
        missingExternal.push(csv);
        continue;
      }
      train.push(...samplesOf(readCsv(csv), csv, path.join(cls, ds, 'cleaned_images')));
      sources.push(csv);
    }
  }
  return { train, val, valTable, valCsv, sources, missingExternal };
}
