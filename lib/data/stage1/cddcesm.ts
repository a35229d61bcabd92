/**
 * Stage 1 of CDD-CESM (ALGORITHMS.md §7.5): "Radiology manual annotations.xlsx" sheet "all", low-energy
 * (Type DM) images only, image_id = Image_name without "DM_"/"CM_" (stripped), renamed columns,
 * cancer = classification == "Malignant", stage1_images/{patient_id}/{image_id}.jpg.
 */
import path from 'path';
import { getter, makeSymlink, Stage1Context, Stage1Result, writeCleanedLabels } from './common';
import { readExcelTable } from './excelTable';
import { cellText, formatColumn, pyInt, pyStr, selectColumns, TypedTable } from './pyValue';
import { RsnaMammoError } from '../../errors';

const RENAMES: Record<string, string> = {
  Image_name: 'image_name',
  Patient_ID: 'patient_id',
  Side: 'laterality',
  Age: 'age',
  'Breast density (ACR)': 'density',
  Findings: 'findings',
  View: 'view',
  Tags: 'tags',
  Machine: 'machine_id',
  'Pathology Classification/ Follow up': 'classification',
};
const OUT = ['patient_id', 'image_id', 'laterality', 'view', 'image_name', 'age', 'density', 'BIRADS', 'findings', 'tags', 'machine_id', 'classification', 'Type'];

/** Builds cleaned_label.csv and stage1_images for CDD-CESM. */
export async function stage1Cddcesm(ctx: Stage1Context): Promise<Stage1Result> {
  const xlsx = path.join(ctx.rawDir, 'Radiology manual annotations.xlsx');
  const df = await readExcelTable(xlsx, 'all');
  const g = getter(df);
  const CLS = 'Pathology Classification/ Follow up';
  const imageIdOf = (name: string) => name.replaceAll('DM_', '').replaceAll('CM_', '');
  const groups = new Map<string, string[]>();
  for (const r of df.rows) {
    const id = imageIdOf(cellText(g(r, 'Image_name')));
    const c = g(r, CLS);
    groups.set(id, [...(groups.get(id) ?? []), c.t === 'missing' ? '\u0000nan' : cellText(c)]);
  }
  for (const [id, cls] of groups) {
    if (cls[0] === 'Malignant' && new Set(cls.filter((c) => c !== '\u0000nan')).size !== 1) {
      throw new RsnaMammoError('ERR_STAGE1_LABELS', `image ${id}: malignant with several classifications`, { file: xlsx });
    }
  }
  const dm = df.rows.filter((r) => cellText(g(r, 'Type')) === 'DM');
  let table: TypedTable = {
    columns: [...df.columns.map((c) => RENAMES[c] ?? c), 'image_id'],
    rows: dm.map((r) => [...r, pyStr(imageIdOf(cellText(g(r, 'Image_name'))))]),
  };
  table = selectColumns(table, OUT, 'CDD-CESM');
  const ci = OUT.indexOf('classification');
  const ii = OUT.indexOf('image_id');
  table.columns.push('cancer');
  for (const r of table.rows) {
    r.push(pyInt(r[ci].t === 'str' && r[ci].v === 'Malignant' ? 1 : 0));
    r[ii] = pyStr(cellText(r[ii]).trim());
  }
  const patientText = formatColumn(table.rows.map((r) => r[0]));
  table.rows.forEach((r, i) => {
    const imageId = cellText(r[ii]);
    const name = `${imageId.replaceAll('L_', 'L_DM_').replaceAll('R_', 'R_DM_')}.jpg`;
    makeSymlink(path.join(ctx.rawDir, 'Low energy images of CDD-CESM', name), path.join(ctx.stage1Dir, patientText[i], `${imageId}.jpg`));
  });
  writeCleanedLabels(ctx.cleanedLabelFile, table);
  return { rows: table.rows.length, images: table.rows.length };
}
