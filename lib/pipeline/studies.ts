/**
 * Study grouping without a CSV (`rsna-mammo predict`): images of one breast share PatientID and
 * ImageLaterality (or Laterality); their prediction_id is `{PatientID}_{L|R}` as in test.csv (§5.7).
 */
import type { ImageMeta } from './types';

/**
 * prediction_id of an image from its DICOM tags. Missing PatientID → `unknown`; missing or unusual
 * laterality → the tag value, or `U`.
 */
export function predictionIdOf(meta: Pick<ImageMeta, 'patientId' | 'laterality'>): string {
  const patient = meta.patientId?.trim() || 'unknown';
  const lat = meta.laterality?.trim().toUpperCase() || 'U';
  return `${patient}_${lat}`;
}

/** Groups items by the prediction_id of their DICOM tags, keeping input order inside each group. */
export function groupStudies<T extends { meta: Pick<ImageMeta, 'patientId' | 'laterality'> }>(items: Iterable<T>): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = predictionIdOf(item.meta);
    const g = groups.get(id);
    if (g) g.push(item);
    else groups.set(id, [item]);
  }
  return groups;
}
