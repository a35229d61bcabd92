/**
 * Reads the sampler's label list: a JSON array of numbers, an object with a `labels` array, or label CSVs.
 */
import fs from 'fs';
import { readCsvColumns } from '../data/csv';
import { RsnaMammoError } from '../errors';

/** @throws RsnaMammoError ERR_LABELS naming the file for unreadable JSON, a missing list or a non-number entry */
export function readLabelsJson(file: string): number[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RsnaMammoError('ERR_LABELS', `cannot read labels JSON: ${(err as Error).message}`, { file });
  }
  const list = Array.isArray(data) ? data : (data as { labels?: unknown } | null)?.labels;
  if (!Array.isArray(list)) throw new RsnaMammoError('ERR_LABELS', 'expected a JSON array of labels or {"labels": [...]}', { file });
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RsnaMammoError('ERR_LABELS', `label ${i} is ${JSON.stringify(v)}, not a finite number`, { file });
  });
  return list as number[];
}

/**
 * The training set's labels as the sampler sees them: the `cancer` column of each label table, tables
 * concatenated in the given order (RSNA train_fold_k first, then the external datasets, §9.4.1).
 * @throws RsnaMammoError naming the file for a missing column or a non-numeric label
 */
export function readLabelsCsv(files: readonly string[], column = 'cancer'): number[] {
  const out: number[] = [];
  for (const file of files) {
    const { columns } = readCsvColumns(file, [column]);
    columns[column].forEach((s, i) => {
      const v = Number(s);
      if (s.trim() === '' || !Number.isFinite(v)) throw new RsnaMammoError('ERR_LABELS', `row ${i + 2}: ${column} "${s}" is not a number`, { file });
      out.push(v);
    });
  }
  return out;
}
