/**
 * Column layout of predictions.csv (one line per predicted image: fold probabilities, their mean,
 * ROI, decoder, timings, the device that prepared it, the inference backend) and errors.csv (one line per image that could not be predicted).
 * Probabilities are written as the shortest text that reads back as the same float32, so a resumed
 * run aggregates bit-identical values.
 */
import type { ImageFailure, ImagePrediction } from '../pipeline/types';
import { formatFloat32 } from './csv';

/** The test.csv facts every record carries. */
export interface ImageIdentity {
  imageId: string;
  patientId: string;
  laterality: string;
  predictionId: string;
  file?: string;
}

/** predictions.csv header for `folds` fold models. */
export function predictionsHeader(folds: number): string[] {
  return [
    'image_id', 'patient_id', 'laterality', 'prediction_id',
    ...Array.from({ length: folds }, (_, k) => `prob_fold${k}`),
    'image_mean', 'roi_method', 'roi_x0', 'roi_y0', 'roi_x1', 'roi_y1', 'roi_area_pct', 'roi_score',
    'decoder', 'rows', 'columns', 'read_ms', 'decode_ms', 'roi_ms', 'prepare_ms', 'infer_ms',
    'device', 'backend',
  ];
}

const ms = (x: number): string => x.toFixed(1);

/** One predictions.csv record. */
export function predictionRecord(id: ImageIdentity, r: ImagePrediction): string[] {
  const [x0, y0, x1, y1] = r.roi.box;
  return [
    id.imageId, id.patientId, id.laterality, id.predictionId,
    ...r.foldProbabilities.map(formatFloat32),
    formatFloat32(r.probability), r.roi.method, String(x0), String(y0), String(x1), String(y1),
    Number.isFinite(r.roi.areaPct) ? r.roi.areaPct.toPrecision(9) : '',
    r.roi.score !== null && Number.isFinite(r.roi.score) ? formatFloat32(r.roi.score) : '',
    r.decoder, String(r.meta.rows), String(r.meta.columns),
    ms(r.timings.readMs), ms(r.timings.decodeMs), ms(r.timings.roiMs), ms(r.timings.prepareMs), ms(r.timings.inferMs),
    r.device ?? '', r.backend ?? '',
  ];
}

/** errors.csv header. */
export const ERRORS_HEADER: readonly string[] = ['image_id', 'patient_id', 'prediction_id', 'file', 'stage', 'code', 'message'];

/** One errors.csv record. */
export function errorRecord(id: ImageIdentity, f: ImageFailure): string[] {
  return [id.imageId, id.patientId, id.predictionId, id.file ?? '', f.stage, f.code, f.message.replace(/\s+/g, ' ')];
}

/** The per-image mean of a predictions.csv record read back (exact float32). */
export function recordProbability(record: Record<string, string>): number {
  return Math.fround(Number(record.image_mean));
}
