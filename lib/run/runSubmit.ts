/**
 * The submission run (ALGORITHMS.md §5): stream every test.csv image through the pipeline, journal
 * each result (predictions.csv / errors.csv), then aggregate per prediction_id and write
 * submission.csv. With `resume`, images already in predictions.csv are not predicted again; the
 * aggregation always reads the images in test.csv order, so a resumed run writes the identical file.
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import type { Pipeline } from '../pipeline/scheduler';
import type { ImageResult } from '../pipeline/types';
import { aggregateBreasts, BreastPrediction, DEFAULT_THRESHOLD, ThresholdRule } from '../pipeline/aggregate';
import { csvLine } from './csv';
import { ensureOutputDir } from './outputDir';
import { openCsvJournal, writeFileAtomic } from './journal';
import { ERRORS_HEADER, errorRecord, predictionRecord, predictionsHeader, recordProbability } from './records';
import { unsafeIdReason } from './testCsv';
import type { TestImageRow } from './testCsv';
import type { Progress } from './progress';

/** Options of {@link runSubmit}. */
export interface SubmitRunOptions {
  rows: TestImageRow[];
  pipeline: Pipeline;
  /** Folder for submission.csv, predictions.csv and errors.csv (SUBMISSION_DIR). */
  outDir: string;
  /** Keep predictions.csv and skip the images it already holds. */
  resume?: boolean;
  /** Default `{ threshold: 0.31 }`; `{ quantile: 0.97935 }` is the original's AUTO_THRES (§5.1). */
  thresholdRule?: ThresholdRule;
  progress?: Progress;
  /** Called with every new result (e.g. to build a report). */
  onResult?: (result: ImageResult<TestImageRow>) => void;
  /** One-line messages (resume summary). */
  log?: (line: string) => void;
}

/** What a submission run produced. */
export interface SubmitRunResult {
  submissionFile: string;
  predictionsFile: string;
  errorsFile: string;
  breasts: BreastPrediction[];
  threshold: number;
  /** Images predicted by this run, failed in this run, and taken from predictions.csv (resume). */
  predicted: number;
  failed: number;
  resumed: number;
}

/** Formats submission.csv: header `prediction_id,cancer`, rows sorted by prediction_id (§5.9). */
export function formatSubmission(rows: readonly BreastPrediction[]): string {
  return csvLine(['prediction_id', 'cancer']) + rows.map((r) => csvLine([r.predictionId, r.cancer])).join('');
}

/**
 * Runs the submission.
 * @returns the files written and the per-breast rows.
 * @throws RsnaMammoError ERR_NOTHING_PREDICTED when not one image could be predicted (errors.csv is written).
 */
export async function runSubmit(options: SubmitRunOptions): Promise<SubmitRunResult> {
  const { rows, pipeline } = options;
  const outDir = ensureOutputDir(options.outDir, 'SUBMISSION_DIR');
  const predictionsFile = path.join(outDir, 'predictions.csv');
  const errorsFile = path.join(outDir, 'errors.csv');
  const submissionFile = path.join(outDir, 'submission.csv');
  const resume = options.resume ?? false;
  const known = new Set(rows.map((r) => r.imageId));

  const predictions = openCsvJournal(predictionsFile, { resume });
  // Failed images are tried again on resume, so errors.csv always describes the latest attempt.
  const errors = openCsvJournal(errorsFile, { resume: false });
  const probability = new Map<string, number>();
  for (const rec of predictions.existing) {
    if (known.has(rec.image_id)) probability.set(rec.image_id, recordProbability(rec));
  }
  const resumed = probability.size;
  if (resume) options.log?.(`resume: ${resumed} of ${rows.length} images already in ${predictionsFile}`);

  // Rows with an unsafe id never become paths: they are errors.csv lines (lib/submit/testCsv.ts).
  const invalid = rows.filter((r) => r.invalid);
  const pending = rows.filter((r) => !r.invalid && !probability.has(r.imageId));
  const total = rows.length;
  let predicted = 0;
  let failed = 0;
  options.progress?.update({ done: resumed, failed: 0, total });
  for (const row of invalid) {
    errors.append([errorRecord(row, { ok: false, key: row.imageId, stage: 'prepare', code: 'ERR_TEST_CSV_ID', message: row.invalid! })], ERRORS_HEADER);
    failed += 1;
  }
  try {
    const requests = pending.map((row) => ({ source: row.file, key: row.imageId, tag: row }));
    for await (const result of pipeline.predictMany(requests)) {
      const row = result.tag!;
      if (result.ok) {
        predictions.append([predictionRecord(row, result)], predictionsHeader(result.foldProbabilities.length));
        probability.set(row.imageId, result.probability);
        predicted += 1;
      } else {
        errors.append([errorRecord(row, result)], ERRORS_HEADER);
        failed += 1;
      }
      options.onResult?.(result);
      options.progress?.update({ done: resumed + predicted, failed, total });
    }
  } finally {
    predictions.close();
    if (errors.header === undefined) errors.append([], ERRORS_HEADER);
    errors.close();
  }
  options.progress?.finish({ done: resumed + predicted, failed, total });

  // Nothing predicted: every breast would be 0, a submission that looks valid and says nothing. Write
  // none (and remove an earlier run's, which would now be mistaken for this one's); errors.csv says why.
  if (rows.length > 0 && probability.size === 0) {
    fs.rmSync(submissionFile, { force: true });
    throw new RsnaMammoError('ERR_NOTHING_PREDICTED',
      `none of the ${rows.length} images could be predicted, so no submission.csv was written; the reasons are in ${errorsFile}`);
  }
  // A failed image is left out of its breast's mean; a breast with no predicted image gets 0.
  const { rows: breasts, threshold } = aggregateBreasts(
    // A row whose own prediction_id is unsafe has no breast to join; one with a bad image id still counts as failed.
    rows.filter((r) => !(r.invalid && unsafeIdReason('prediction_id', r.predictionId))).map((r) => ({ predictionId: r.predictionId, probability: probability.get(r.imageId) ?? null })),
    options.thresholdRule ?? { threshold: DEFAULT_THRESHOLD },
  );
  writeFileAtomic(submissionFile, formatSubmission(breasts));
  return { submissionFile, predictionsFile, errorsFile, breasts, threshold, predicted, failed, resumed };
}
