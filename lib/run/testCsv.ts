/**
 * test.csv of the competition (ALGORITHMS.md §5.3): only patient_id, image_id, laterality, machine_id
 * and prediction_id are used; prediction_id defaults to `{patient_id}_{laterality}` (§5.7).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { parseCsvRecords } from './csv';

/** One image row of test.csv. */
export interface TestImageRow {
  patientId: string;
  imageId: string;
  laterality: string;
  predictionId: string;
  machineId?: string;
  /** Absolute path of `test_images/{patient_id}/{image_id}.dcm`; '' for an invalid row. */
  file: string;
  /** Why the row cannot be predicted (an unsafe id): it goes to errors.csv, never becomes a path. */
  invalid?: string;
}

/**
 * Ids that may become a path component or a CSV field: letters, digits, `_`, `.`, `-`, not starting
 * with `.` or `-` (nor `= + @`, which spreadsheets run as formulas), no `..`, at most 128 characters.
 */
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Why `value` is not a safe id (undefined when it is). */
export function unsafeIdReason(name: string, value: string): string | undefined {
  if (SAFE_ID.test(value) && !value.includes('..')) return undefined;
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return `${name} ${shown} is not a safe id (letters, digits, _ . - only; no leading . - = + @; no "..")`;
}

/**
 * Reads test.csv and resolves each image's DICOM path.
 * @param csvFile path of test.csv.
 * @param imagesDir folder holding `{patient_id}/{image_id}.dcm`.
 * Rows with an unsafe id are returned with `invalid` set and no path (runSubmit lists them in errors.csv).
 * @throws RsnaMammoError ERR_TEST_CSV when the file is unreadable or lacks a needed column; ERR_CSV_PARSE
 *   for an unterminated quote.
 */
export function readTestCsv(csvFile: string, imagesDir: string): TestImageRow[] {
  let text: string;
  try {
    text = fs.readFileSync(csvFile, 'utf8');
  } catch (err) {
    throw new RsnaMammoError('ERR_TEST_CSV', `cannot read test.csv: ${(err as Error).message}`, { file: csvFile });
  }
  const { header, records } = parseCsvRecords(text, csvFile);
  for (const col of ['patient_id', 'image_id', 'laterality']) {
    if (!header.includes(col)) {
      throw new RsnaMammoError('ERR_TEST_CSV', `missing column "${col}" (have: ${header.join(', ')})`, { file: csvFile });
    }
  }
  const seen = new Set<string>();
  return records.map((r, i) => {
    if (!r.patient_id || !r.image_id) {
      throw new RsnaMammoError('ERR_TEST_CSV', `row ${i + 2}: empty patient_id or image_id`, { file: csvFile });
    }
    if (seen.has(r.image_id)) {
      throw new RsnaMammoError('ERR_TEST_CSV', `row ${i + 2}: image_id ${r.image_id} appears twice`, { file: csvFile });
    }
    seen.add(r.image_id);
    const hasPid = header.includes('prediction_id') && r.prediction_id !== '';
    const predictionId = hasPid ? r.prediction_id : `${r.patient_id}_${r.laterality}`;
    const invalid = unsafeIdReason('patient_id', r.patient_id) ?? unsafeIdReason('image_id', r.image_id) ??
      unsafeIdReason('laterality', r.laterality) ?? unsafeIdReason('prediction_id', predictionId);
    return {
      patientId: r.patient_id,
      imageId: r.image_id,
      laterality: r.laterality,
      predictionId,
      machineId: r.machine_id || undefined,
      file: invalid ? '' : path.join(imagesDir, r.patient_id, `${r.image_id}.dcm`),
      ...(invalid ? { invalid: `row ${i + 2}: ${invalid}` } : {}),
    };
  });
}
