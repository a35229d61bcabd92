/**
 * Stage 1 of VinDr-Mammo (ALGORITHMS.md §7.2): breast-level_annotations.csv renamed, BIRADS/density last
 * tokens, inner 1:1 merge with the DICOM headers of images/{study_id}/{image_id}.dicom,
 * PatientAge → age, cancer = BIRADS == 5; stage1_images → images/.
 */
import path from 'path';
import { dicomMetaColumns, getter, makeSymlink, readTypedCsv, Stage1Context, Stage1Result, writeCleanedLabels } from './common';
import { cellText, MISSING, pyBool, pyInt, pyStr, PyValue, selectColumns, TypedTable } from './pyValue';
import { RsnaMammoError } from '../../errors';

const RENAMES: Record<string, string> = { study_id: 'patient_id', view_position: 'view', breast_birads: 'BIRADS', breast_density: 'density' };
export const VINDR_COLUMNS = [
  'patient_id', 'series_id', 'image_id', 'laterality', 'view', 'age', 'BIRADS', 'density', 'split', '__SmallestImagePixelValue',
  '__PixelRepresentation', '__SOPInstanceUID', '__PatientWeight', '__WindowWidth', '__PixelPaddingValue', '__BodyPartExamined',
  '__StudyInstanceUID', '__ViewPosition', '__LargestImagePixelValue', '__PixelSpacing', '__PixelPaddingRangeLimit',
  '__SeriesInstanceUID', '__SamplesPerPixel', '__PresentationLUTShape', '__WindowCenterWidthExplanation', '__WindowCenter',
  '__ImagerPixelSpacing', '__VOILUTFunction', '__RescaleIntercept', '__RescaleSlope', '__PhotometricInterpretation', '__Rows',
  '__Columns', '__hasVOILUTSequence', '__hasLUTDescriptor', '__hasLUTData',
];

/** Builds cleaned_label.csv and the stage1_images link for VinDr. */
export function stage1Vindr(ctx: Stage1Context): Stage1Result {
  const csvFile = path.join(ctx.rawDir, 'breast-level_annotations.csv');
  const df = readTypedCsv(csvFile);
  df.columns = df.columns.map((c) => RENAMES[c] ?? c);
  const g = getter(df);
  const bi = df.columns.indexOf('BIRADS');
  const di = df.columns.indexOf('density');
  for (const r of df.rows) {
    const tokens = cellText(g(r, 'BIRADS')).split(/\s+/).filter((x) => x);
    const birads = Number.parseInt(tokens[tokens.length - 1], 10);
    if (!Number.isInteger(birads)) throw new RsnaMammoError('ERR_STAGE1_LABELS', `BIRADS "${cellText(r[bi])}" has no integer last token`, { file: csvFile });
    r[bi] = pyInt(birads);
    if (r[di].t === 'str') {
      const d = r[di].v.split(/\s+/).filter((x) => x);
      r[di] = pyStr(d[d.length - 1]);
    }
  }
  const imagesDir = path.join(ctx.rawDir, 'images');
  const ids = df.rows.map((r) => ({ patientId: cellText(g(r, 'patient_id')), imageId: cellText(g(r, 'image_id')) }));
  const meta = dicomMetaColumns(imagesDir, ids, 'dicom');
  const wanted = VINDR_COLUMNS.filter((c) => c.startsWith('__') && !c.startsWith('__has')).map((c) => c.slice(2));
  const has = (m: Map<string, PyValue>, k: string) => pyBool(!m.has(k) || m.get(k)!.t === 'missing'); // isna(): True = ABSENT
  const table: TypedTable = {
    columns: [...df.columns, ...wanted.map((k) => (k === 'PatientAge' ? 'age' : `__${k}`)), '__hasVOILUTSequence', '__hasLUTDescriptor', '__hasLUTData'],
    rows: df.rows.map((r, i) => {
      const m = meta.values[i];
      return [...r, ...wanted.map((k) => m.get(k) ?? MISSING), has(m, 'VOILUTSequence'), has(m, 'LUTDescriptor'), has(m, 'LUTData')];
    }),
  };
  const withAge: TypedTable = {
    columns: [...table.columns, 'age'],
    rows: table.rows.map((r, i) => [...r, meta.values[i].get('PatientAge') ?? MISSING]),
  };
  const out = selectColumns(withAge, VINDR_COLUMNS, 'VinDr');
  const ob = out.columns.indexOf('BIRADS');
  out.columns.push('cancer');
  for (const r of out.rows) r.push(pyInt((r[ob] as { v: number }).v === 5 ? 1 : 0));
  writeCleanedLabels(ctx.cleanedLabelFile, out);
  makeSymlink(imagesDir, ctx.stage1Dir);
  return { rows: out.rows.length, images: out.rows.length };
}
