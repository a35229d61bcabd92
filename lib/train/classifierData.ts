/**
 * The classifier's training and validation samples (ALGORITHMS.md §9.4) from a step's label tables
 * (`stepData` of the plan: RSNA train_fold_k.csv then the external datasets, in order; validation =
 * RSNA val_fold_k.csv). Image of a row: `{images}/{patient_id}@{image_id}.png`.
 */
import fs from 'fs';
import path from 'path';
import { columnIndex, CsvTable, readCsv } from '../data/csv';
import { RsnaMammoError } from '../errors';
import { StepDataSource, TrainStep } from './plan';

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
  /** External label CSVs that were absent (skipped with a warning). */
  missingExternal: string[];
}

function samplesOf(source: StepDataSource, table: CsvTable): Sample[] {
  const file = source.labels;
  const idx = columnIndex(table, ['patient_id', 'image_id', 'cancer'], file);
  return table.rows.map((r, i) => {
    const target = Number(r[idx.cancer]);
    if (r[idx.cancer] === '' || !Number.isFinite(target)) {
      throw new RsnaMammoError('ERR_CSV_VALUE', `row ${i + 2}: cancer "${r[idx.cancer]}" is not a number`, { file });
    }
    return { png: path.join(source.images, `${r[idx.patient_id]}@${r[idx.image_id]}.png`), target };
  });
}

function readRequired(file: string): CsvTable {
  if (!fs.existsSync(file)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'not found (run rsna-mammo cv-split / prepare first)', { file });
  return readCsv(file);
}

/** Reads a step's sets; `external: false` trains on RSNA only (not the original's recipe). */
export function readClassifierData(sources: TrainStep['data'], external = true): ClassifierData {
  const [rsna, ...others] = sources.train;
  const train = samplesOf(rsna, readRequired(rsna.labels));
  const valTable = readRequired(sources.val.labels);
  columnIndex(valTable, ['site_id', 'patient_id', 'laterality'], sources.val.labels);
  const val = samplesOf(sources.val, valTable);
  const missingExternal: string[] = [];
  for (const s of external ? others : []) {
    if (!fs.existsSync(s.labels)) missingExternal.push(s.labels);
    else train.push(...samplesOf(s, readCsv(s.labels)));
  }
  return { train, val, valTable, valCsv: sources.val.labels, missingExternal };
}
