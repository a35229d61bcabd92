/**
 * Reads a predictions CSV into reducer rows (the `rsna-mammo eval` input): columns
 * site_id, patient_id, laterality, cancer, preds; any of site_id/patient_id/laterality/cancer missing
 * from it is taken from a labels CSV (e.g. train.csv) joined on image_id.
 */
import { columnIndex, CsvTable, readCsv } from '../data/csv';
import { RsnaMammoError } from '../errors';
import { PredictionRow } from './reducers';

const JOINED = ['site_id', 'patient_id', 'laterality', 'cancer'] as const;

/**
 * @param predsFile CSV with `preds` and the columns above (or `image_id` plus `labelsFile`)
 * @param labelsFile optional CSV with image_id and the missing columns
 * @throws RsnaMammoError naming the file for a missing column, an unknown image_id or a non-numeric value
 */
export function readPredictionRows(predsFile: string, labelsFile?: string): PredictionRow[] {
  const preds = readCsv(predsFile);
  const missing = JOINED.filter((c) => !preds.header.includes(c));
  let labelOf: ((imageId: string, col: string) => string) | undefined;
  if (missing.length > 0) {
    if (!labelsFile) {
      throw new RsnaMammoError('ERR_CSV_COLUMN', `missing column(s) ${missing.join(', ')}: give them or --labels with image_id`, { file: predsFile });
    }
    labelOf = labelLookup(readCsv(labelsFile), labelsFile, missing);
  }
  const own = columnIndex(preds, ['preds', ...JOINED.filter((c) => !missing.includes(c)), ...(missing.length ? ['image_id'] : [])], predsFile);
  return preds.rows.map((r, i) => {
    const get = (col: string): string => (col in own ? r[own[col]] : labelOf!(r[own.image_id], col));
    const num = (col: string): number => {
      const v = Number(get(col));
      if (get(col) === '' || Number.isNaN(v)) throw new RsnaMammoError('ERR_CSV_VALUE', `row ${i + 2}: ${col} "${get(col)}" is not a number`, { file: predsFile });
      return v;
    };
    return { siteId: num('site_id'), patientId: get('patient_id'), laterality: get('laterality'), target: num('cancer'), pred: num('preds') };
  });
}

function labelLookup(table: CsvTable, file: string, cols: readonly string[]): (imageId: string, col: string) => string {
  const idx = columnIndex(table, ['image_id', ...cols], file);
  const byImage = new Map<string, string[]>();
  for (const r of table.rows) byImage.set(r[idx.image_id], r);
  return (imageId, col) => {
    const row = byImage.get(imageId);
    if (!row) throw new RsnaMammoError('ERR_CSV_VALUE', `image_id ${imageId} not found`, { file });
    return row[idx[col]];
  };
}
