/**
 * Stage 1 of BMCD (ALGORITHMS.md §7.6): one row per DICOM of the kept cases, prior images of
 * DCIS/MALIGNANT cases relabelled BENIGN/NORMAL, DICOM columns, sorted by (patient_id, image_id).
 */
import fs from 'fs';
import path from 'path';
import { applyShippedOrder, dicomMetaColumns, getter, RowOrder, makeSymlink, rawLabelFile, readTypedCsv, sortRows, Stage1Context, Stage1Result, writeCleanedLabels } from './common';
import { cellText, MISSING, pyInt, pyStr, PyValue, selectColumns, TypedTable } from './pyValue';
import { RsnaMammoError } from '../../errors';

const KEPT_RESULTS = new Set(['NAN', 'BENIGN', 'DCIS', 'MALIGNANT']);
export const BMCD_COLUMNS = [
  'patient_id', 'laterality', 'age', 'density', 'BIRADS', 'biopsy_result', 'folder_type', 'view', 'image_id', 'cancer',
  '__WindowWidth', '__WindowCenter', '__WindowCenterWidthExplanation', '__RescaleType', '__RescaleSlope',
  '__RescaleIntercept', '__Rows', '__Columns', '__BitsAllocated', '__BitsStored',
];

/** Builds cleaned_label.csv and stage1_images for BMCD. */
export function stage1Bmcd(ctx: Stage1Context, rowOrder: RowOrder = 'shipped'): Stage1Result {
  const labels = readTypedCsv(rawLabelFile(ctx, 'bmcd_raw_label.csv'));
  const get = getter(labels);
  const bj = labels.columns.indexOf('biopsy_result');
  const kept = labels.rows
    .map((r) => r.map((v, j) => (j === bj && v.t === 'missing' ? pyStr('NAN') : v)))
    .filter((r) => KEPT_RESULTS.has(cellText(get(r, 'biopsy_result'))));

  const columns = [...labels.columns, 'view', 'image_id'];
  const rows: PyValue[][] = [];
  for (const r of kept) {
    const folderType = cellText(get(r, 'folder_type'));
    const dir = cellText(get(r, 'dir'));
    const srcDir = path.join(ctx.rawDir, 'Dataset', folderType === 'normal' ? 'Normal_cases' : 'Suspicious_cases', dir);
    const dstDir = path.join(ctx.stage1Dir, `${folderType}_${dir}`);
    const names = fs.readdirSync(srcDir).filter((n) => n.toLowerCase().includes('.dcm')).sort();
    const priors = names.filter((n) => n.includes('prior'));
    const recents = names.filter((n) => n.includes('recent'));
    if (!(priors.length === 2 || priors.length === 0) || recents.length !== 2) {
      throw new RsnaMammoError('ERR_STAGE1_LAYOUT', `expected 2 recent and 0 or 2 prior DICOMs, found ${names.join(', ')}`, { file: srcDir });
    }
    for (const name of names) {
      const stem = name.split('.')[0];
      const row = [...r, pyStr(stem.split('_')[0]), pyStr(`${folderType}_${dir}${stem}`)];
      const result = cellText(get(r, 'biopsy_result'));
      if ((result === 'DCIS' || result === 'MALIGNANT') && stem.includes('prior')) row[bj] = pyStr('BENIGN/NORMAL');
      makeSymlink(path.join(srcDir, name), path.join(dstDir, `${folderType}_${dir}${stem}.dcm`));
      rows.push(row);
    }
  }
  let table: TypedTable = { columns, rows };
  const g = getter(table);
  table.rows = table.rows.map((r) => [...r, pyInt(['MALIGNANT', 'DCIS'].includes(cellText(g(r, 'biopsy_result'))) ? 1 : 0)]);
  table.columns = [...columns, 'cancer'];
  // rename dir -> patient_id = folder_type + '_' + str(dir)
  const dj = table.columns.indexOf('dir');
  table.columns[dj] = 'patient_id';
  const g2 = getter(table);
  table.rows.forEach((r) => (r[dj] = pyStr(`${cellText(g2(r, 'folder_type'))}_${cellText(r[dj])}`)));

  const ids = table.rows.map((r) => ({ patientId: cellText(g2(r, 'patient_id')), imageId: cellText(g2(r, 'image_id')) }));
  const meta = dicomMetaColumns(ctx.stage1Dir, ids, 'dcm');
  const wanted = BMCD_COLUMNS.filter((c) => c.startsWith('__')).map((c) => c.slice(2));
  table = {
    columns: [...table.columns, ...wanted.map((k) => `__${k}`)],
    rows: table.rows.map((r, i) => [...r, ...wanted.map((k) => meta.values[i].get(k) ?? MISSING)]),
  };
  let out = sortRows(selectColumns(table, BMCD_COLUMNS, 'BMCD'), ['patient_id', 'image_id']);
  if (rowOrder === 'shipped') out = applyShippedOrder(out, path.join(ctx.assetsDataDir, 'bmcd_row_order.txt'));
  writeCleanedLabels(ctx.cleanedLabelFile, out);
  return { rows: out.rows.length, images: out.rows.length };
}
