/**
 * Stage 1 of MiniDDSM (ALGORITHMS.md §7.3): labels from Data-MoreThanTwoMasks.xlsx, breast-level cancer
 * (Cancer status + a Tumour_Contour longer than 5 characters on that side), density letters,
 * stage1_images/{patient_id}/{patient_id}|{Side}|{View}.png → the 16-bit PNG.
 */
import path from 'path';
import { getter, makeSymlink, Stage1Context, Stage1Result, writeCleanedLabels } from './common';
import { readExcelTable } from './excelTable';
import { cellText, pyInt, pyStr, PyValue, TypedTable } from './pyValue';
import { RsnaMammoError } from '../../errors';

const DENSITY: Record<string, string> = { '1': 'A', '2': 'B', '3': 'C', '4': 'D', '0': 'A' };

/** Builds cleaned_label.csv and stage1_images for MiniDDSM. */
export async function stage1Miniddsm(ctx: Stage1Context): Promise<Stage1Result> {
  const xlsx = path.join(ctx.rawDir, 'Data-MoreThanTwoMasks', 'Data-MoreThanTwoMasks.xlsx');
  const df = await readExcelTable(xlsx);
  const g = getter(df);
  const pid = (r: PyValue[]) => cellText(g(r, 'fileName')).split('.')[0];
  const side = (r: PyValue[]) => cellText(g(r, 'Side'));

  const breasts = new Map<string, PyValue[][]>();
  for (const r of df.rows) breasts.set(`${pid(r)}|${side(r)}`, [...(breasts.get(`${pid(r)}|${side(r)}`) ?? []), r]);
  const cancer = new Map<string, number>();
  for (const [breast, rows] of breasts) {
    const statuses = new Set(rows.map((r) => cellText(g(r, 'Status'))));
    if (statuses.size !== 1) throw new RsnaMammoError('ERR_STAGE1_LABELS', `breast ${breast} has several Status values`, { file: xlsx });
    const status = [...statuses][0];
    const annotated = rows.some((r) => {
      const c = g(r, 'Tumour_Contour');
      return c.t === 'str' && c.v.length > 5;
    });
    if (status === 'Normal') {
      if (annotated) throw new RsnaMammoError('ERR_STAGE1_LABELS', `breast ${breast}: status=normal but has annotation`, { file: xlsx });
      cancer.set(breast, 0);
    } else if (status === 'Benign') cancer.set(breast, 0);
    else if (status === 'Cancer') cancer.set(breast, annotated ? 1 : 0);
    else throw new RsnaMammoError('ERR_STAGE1_LABELS', `invalid status "${status}"`, { file: xlsx });
  }

  const out: TypedTable = { columns: ['patient_id', 'image_id', 'view', 'laterality', 'density', 'age', 'ddsm_ori_status', 'cancer'], rows: [] };
  for (const r of df.rows) {
    const p = pid(r);
    const imageId = `${p}|${side(r)}|${cellText(g(r, 'View'))}`;
    const status = cellText(g(r, 'Status'));
    makeSymlink(path.join(ctx.rawDir, 'MINI-DDSM-Complete-PNG-16', status, p.split('_')[1], cellText(g(r, 'fileName'))), path.join(ctx.stage1Dir, p, `${imageId}.png`));
    const d = g(r, 'Density');
    const density = d.t === 'int' || d.t === 'float' ? DENSITY[String(d.v)] : undefined;
    if (density === undefined) throw new RsnaMammoError('ERR_STAGE1_LABELS', `image ${imageId}: density ${cellText(d)} is not 0-4`, { file: xlsx });
    out.rows.push([pyStr(p), pyStr(imageId), g(r, 'View'), pyStr(side(r)[0]), pyStr(density), g(r, 'Age'), g(r, 'Status'), pyInt(cancer.get(`${p}|${side(r)}`)!)]);
  }
  writeCleanedLabels(ctx.cleanedLabelFile, out);
  return { rows: out.rows.length, images: out.rows.length };
}
