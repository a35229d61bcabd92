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
  /** Absolute path of `test_images/{patient_id}/{image_id}.dcm`. */
  file: string;
}

/**
 * Reads test.csv and resolves each image's DICOM path.
 * @param csvFile path of test.csv.
 * @param imagesDir folder holding `{patient_id}/{image_id}.dcm`.
 * @throws RsnaMammoError ERR_TEST_CSV when the file is unreadable or lacks a needed column.
 */
export function readTestCsv(csvFile: string, imagesDir: string): TestImageRow[] {
  let text: string;
  try {
    text = fs.readFileSync(csvFile, 'utf8');
  } catch (err) {
    throw new RsnaMammoError('ERR_TEST_CSV', `cannot read test.csv: ${(err as Error).message}`, { file: csvFile });
  }
  const { header, records } = parseCsvRecords(text);
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
    return {
      patientId: r.patient_id,
      imageId: r.image_id,
      laterality: r.laterality,
      predictionId: hasPid ? r.prediction_id : `${r.patient_id}_${r.laterality}`,
      machineId: r.machine_id || undefined,
      file: path.join(imagesDir, r.patient_id, `${r.image_id}.dcm`),
    };
  });
}
