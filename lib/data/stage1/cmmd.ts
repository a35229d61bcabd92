/**
 * Stage 1 of CMMD (ALGORITHMS.md §7.4): link CMMD/{ID1}/{study}/{series}/1-k.dcm as
 * stage1_images/{ID1}/{ID1}_1-k.dcm, read the headers, outer-merge with label.csv on
 * (patient_id, laterality = ImageLaterality), missing classification → "Normal",
 * cancer = classification == "Malignant", sorted by (patient_id, image_id) (or the shipped order).
 */
import fs from 'fs';
import path from 'path';
import { applyShippedOrder, dicomMetaColumns, getter, makeSymlink, rawLabelFile, readTypedCsv, RowOrder, sortRows, Stage1Context, Stage1Result, writeCleanedLabels } from './common';
import { cellText, MISSING, pyInt, pyStr, PyValue, selectColumns } from './pyValue';
import { RsnaMammoError } from '../../errors';

export const CMMD_DICOM_KEYWORDS = [
  'VOILUTFunction', 'WindowCenter', 'WindowWidth', 'WindowCenterWidthExplanation', 'RescaleSlope', 'RescaleIntercept',
  'Columns', 'Rows', 'SOPInstanceUID', 'LossyImageCompression', 'CodeMeaning', 'StudyID', 'PatientOrientation',
  'SpecificCharacterSet', 'InstanceCreatorUID', 'PositionerType', 'PhotometricInterpretation', 'BitsAllocated',
  'StudyDate', 'PatientName', 'ContentTime', 'PixelIntensityRelationship', 'Modality', 'PresentationIntentType',
  'AcquisitionTime', 'BodyPartExamined', 'HighBit', 'PatientIdentityRemoved', 'BitsStored', 'InstanceCreationTime',
  'StudyTime', 'SeriesTime', 'PatientBirthDate', 'ImageType', 'RescaleType', 'SeriesInstanceUID',
  'ReferringPhysicianName', 'ContentDate', 'InstanceCreationDate', 'PixelIntensityRelationshipSign', 'SeriesNumber',
  'StudyInstanceUID', 'PatientID', 'DetectorType', 'SamplesPerPixel', 'SOPClassUID', 'PixelRepresentation',
  'CodeValue', 'OrganExposed', 'InstanceNumber', 'AccessionNumber', 'SeriesDate', 'AcquisitionDate', 'PatientAge',
  'BurnedInAnnotation', 'PresentationLUTShape', 'Manufacturer', 'DeidentificationMethod', 'ImagerPixelSpacing',
  'PatientSex',
];

const OUT_COLUMNS = ['patient_id', 'image_id', 'laterality', 'age', 'cancer', '_num_images', 'abnormality', 'classification', 'subtype', ...CMMD_DICOM_KEYWORDS.map((k) => `__${k}`)];

function onlyChild(dir: string): string {
  const entries = fs.readdirSync(dir);
  if (entries.length !== 1) throw new RsnaMammoError('ERR_STAGE1_LAYOUT', `expected exactly one folder, found ${entries.length}`, { file: dir });
  return path.join(dir, entries[0]);
}

/** Builds cleaned_label.csv and stage1_images for CMMD. */
export function stage1Cmmd(ctx: Stage1Context, rowOrder: RowOrder = 'shipped'): Stage1Result {
  const labels = readTypedCsv(rawLabelFile(ctx, 'cmmd_raw_label.csv'));
  const lg = getter(labels);
  const patients = [...new Set(labels.rows.map((r) => cellText(lg(r, 'ID1'))))].sort();
  for (const pid of patients) {
    const seriesDir = onlyChild(onlyChild(path.join(ctx.rawDir, 'CMMD', pid)));
    for (const name of fs.readdirSync(seriesDir).sort()) {
      if (name.split('.').pop() !== 'dcm') throw new RsnaMammoError('ERR_STAGE1_LAYOUT', `not a .dcm file: ${name}`, { file: seriesDir });
      makeSymlink(path.join(seriesDir, name), path.join(ctx.stage1Dir, pid, `${pid}_${name}`));
    }
  }
  const ids = fs.readdirSync(ctx.stage1Dir).sort().flatMap((pid) =>
    fs.readdirSync(path.join(ctx.stage1Dir, pid)).sort().map((name) => ({ patientId: pid, imageId: name.split('.dcm')[0] })),
  );
  const meta = dicomMetaColumns(ctx.stage1Dir, ids, 'dcm');

  // Outer merge on (patient_id, laterality); label columns: Age, number, abnormality, classification, subtype.
  const labelCols = ['Age', 'number', 'abnormality', 'classification', 'subtype'];
  const byBreast = new Map<string, PyValue[][]>();
  for (const r of labels.rows) {
    const key = `${cellText(lg(r, 'ID1'))}|${cellText(lg(r, 'LeftRight'))}`;
    byBreast.set(key, [...(byBreast.get(key) ?? []), labelCols.map((c) => lg(r, c))]);
  }
  const matched = new Set<string>();
  const rows: PyValue[][] = [];
  const dicomPart = (i: number) => CMMD_DICOM_KEYWORDS.map((k) => meta.values[i].get(k) ?? MISSING);
  ids.forEach(({ patientId, imageId }, i) => {
    const lat = meta.values[i].get('ImageLaterality') ?? MISSING;
    const key = `${patientId}|${cellText(lat)}`;
    const found = byBreast.get(key);
    if (found) matched.add(key);
    for (const lab of found ?? [labelCols.map(() => MISSING)]) rows.push([pyStr(patientId), pyStr(imageId), lat, ...lab, ...dicomPart(i)]);
  });
  for (const [key, labs] of byBreast) {
    if (matched.has(key)) continue;
    const [pid, lat] = key.split('|');
    for (const lab of labs) rows.push([pyStr(pid), MISSING, pyStr(lat), ...lab, ...CMMD_DICOM_KEYWORDS.map(() => MISSING)]);
  }
  const columns = ['patient_id', 'image_id', 'laterality', 'age', '_num_images', 'abnormality', 'classification', 'subtype', ...CMMD_DICOM_KEYWORDS.map((k) => `__${k}`)];
  const ci = columns.indexOf('classification');
  for (const r of rows) if (r[ci].t === 'missing') r[ci] = pyStr('Normal');
  let table = { columns: [...columns, 'cancer'], rows: rows.map((r) => [...r, pyInt(cellText(r[ci]) === 'Malignant' ? 1 : 0)]) };
  table = selectColumns(table, OUT_COLUMNS, 'CMMD');

  const g = getter(table);
  const perBreast = new Map<string, number>();
  for (const r of table.rows) {
    const key = `${cellText(g(r, 'patient_id'))}|${cellText(g(r, 'laterality'))}`;
    const c = (g(r, 'cancer') as { v: number }).v;
    if (perBreast.has(key) && perBreast.get(key) !== c) throw new RsnaMammoError('ERR_STAGE1_LABELS', `breast ${key} has images with different cancer labels`, { file: ctx.rawDir });
    perBreast.set(key, c);
  }
  let out = sortRows(table, ['patient_id', 'image_id']);
  if (rowOrder === 'shipped') out = applyShippedOrder(out, path.join(ctx.assetsDataDir, 'cmmd_row_order.txt'));
  writeCleanedLabels(ctx.cleanedLabelFile, out);
  return { rows: out.rows.length, images: ids.length };
}
