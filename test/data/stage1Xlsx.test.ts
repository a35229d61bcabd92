/**
 * MiniDDSM and CDD-CESM stage 1 (ALGORITHMS.md §7.3, §7.5) on miniature raw trees that use real file
 * names from the datasets' pwd_structure.txt, with small .xlsx label files written here. Expected rows
 * are derived by hand from the rules of §7.3/§7.5.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import ExcelJS from 'exceljs';
import { runStage1 } from '../../lib/data/stage1';
import { readCsv } from '../../lib/data/csv';
import { repoRoot } from '../helpers/shared';
import { stage1Context, tempRoots, touch } from '../helpers/rawTrees';

async function writeXlsx(file: string, sheet: string, rows: (string | number | null)[][]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
}


t.test('MiniDDSM: breast-level cancer, density letters, side letter, image ids with |', async (t) => {
  const { raw, processed } = tempRoots('rsna-mddsm-');
  const ctx = stage1Context(raw, processed, 'miniddsm');
  const png = path.join(ctx.rawDir, 'MINI-DDSM-Complete-PNG-16');
  const files = [
    ['Normal', '2011', 'A_2011_1.LEFT_CC.png'], ['Normal', '2011', 'A_2011_1.RIGHT_MLO.png'],
    ['Cancer', '0099', 'C_0099_1.LEFT_CC.png'], ['Cancer', '0099', 'C_0099_1.LEFT_MLO.png'], ['Cancer', '0099', 'C_0099_1.RIGHT_CC.png'],
    ['Benign', '3128', 'B_3128_1.RIGHT_CC.png'],
  ];
  for (const [s, n, f] of files) touch(path.join(png, s, n, f));
  const H = ['fullPath', 'fileName', 'View', 'Side', 'Status', 'Tumour_Contour', 'Tumour_Contour2', 'Tumour_Contour3', 'Tumour_Contour4', 'Tumour_Contour5', 'Tumour_Contour6', 'Age', 'Density'];
  const row = (s: string, n: string, f: string, view: string, side: string, contour: string | null, age: number, density: number) =>
    [`${s}\\${n}\\${f}`, f, view, side, s, contour, null, null, null, null, null, age, density];
  await writeXlsx(path.join(ctx.rawDir, 'Data-MoreThanTwoMasks', 'Data-MoreThanTwoMasks.xlsx'), 'Sheet1', [
    H,
    row('Normal', '2011', 'A_2011_1.LEFT_CC.png', 'CC', 'LEFT', null, 52, 2),
    row('Normal', '2011', 'A_2011_1.RIGHT_MLO.png', 'MLO', 'RIGHT', '-', 52, 2),
    row('Cancer', '0099', 'C_0099_1.LEFT_CC.png', 'CC', 'LEFT', null, 61, 3),
    row('Cancer', '0099', 'C_0099_1.LEFT_MLO.png', 'MLO', 'LEFT', '[(10, 20), (11, 21)]', 61, 3),
    row('Cancer', '0099', 'C_0099_1.RIGHT_CC.png', 'CC', 'RIGHT', null, 61, 3),
    row('Benign', '3128', 'B_3128_1.RIGHT_CC.png', 'CC', 'RIGHT', '[(1, 2), (3, 4)]', 47, 0),
  ]);
  const res = await runStage1('miniddsm', ctx);
  t.equal(res.rows, 6);
  const out = readCsv(ctx.cleanedLabelFile);
  t.same(out.header, ['patient_id', 'image_id', 'view', 'laterality', 'density', 'age', 'ddsm_ori_status', 'cancer']);
  t.same(out.rows, [
    ['A_2011_1', 'A_2011_1|LEFT|CC', 'CC', 'L', 'B', '52', 'Normal', '0'],
    ['A_2011_1', 'A_2011_1|RIGHT|MLO', 'MLO', 'R', 'B', '52', 'Normal', '0'],
    ['C_0099_1', 'C_0099_1|LEFT|CC', 'CC', 'L', 'C', '61', 'Cancer', '1'],
    ['C_0099_1', 'C_0099_1|LEFT|MLO', 'MLO', 'L', 'C', '61', 'Cancer', '1'],
    ['C_0099_1', 'C_0099_1|RIGHT|CC', 'CC', 'R', 'C', '61', 'Cancer', '0'],
    ['B_3128_1', 'B_3128_1|RIGHT|CC', 'CC', 'R', 'A', '47', 'Benign', '0'],
  ]);
  t.equal(fs.readlinkSync(path.join(ctx.stage1Dir, 'C_0099_1', 'C_0099_1|LEFT|MLO.png')), path.join(png, 'Cancer', '0099', 'C_0099_1.LEFT_MLO.png'));
});

t.test('CDD-CESM: DM rows only, ids without DM_/CM_, stripped, jpg links', async (t) => {
  const { raw, processed } = tempRoots('rsna-cdd-');
  const ctx = stage1Context(raw, processed, 'cddcesm');
  const low = path.join(ctx.rawDir, 'Low energy images of CDD-CESM');
  for (const f of ['P1_L_DM_MLO.jpg', 'P10_L_DM_CC.jpg', 'P10_R_DM_CC.jpg']) touch(path.join(low, f));
  const H = ['Image_name', 'Patient_ID', 'Side', 'Type', 'Age', 'Breast density (ACR)', 'BIRADS', 'Findings', 'View', 'Tags', 'Machine', 'Pathology Classification/ Follow up'];
  await writeXlsx(path.join(ctx.rawDir, 'Radiology manual annotations.xlsx'), 'all', [
    H,
    ['P1_L_DM_MLO', 1, 'L', 'DM', 46, 'C', 1, 'No findings', 'MLO', null, 'GE', 'Normal'],
    ['P1_L_CM_MLO', 1, 'L', 'CESM', 46, 'C', 1, 'No findings', 'MLO', null, 'GE', 'Normal'],
    ['P10_L_DM_CC ', 10, 'L', 'DM', 55, 'B', 4, 'mass', 'CC', 'irregular', 'HOLOGIC', 'Malignant'],
    ['P10_R_DM_CC', 10, 'R', 'DM', 55, 'B', 2, 'No findings', 'CC', null, 'HOLOGIC', 'Benign'],
  ]);
  const res = await runStage1('cddcesm', ctx);
  t.equal(res.rows, 3);
  const out = readCsv(ctx.cleanedLabelFile);
  t.same(out.header, ['patient_id', 'image_id', 'laterality', 'view', 'image_name', 'age', 'density', 'BIRADS', 'findings', 'tags', 'machine_id', 'classification', 'Type', 'cancer']);
  t.same(out.rows, [
    ['1', 'P1_L_MLO', 'L', 'MLO', 'P1_L_DM_MLO', '46', 'C', '1', 'No findings', '', 'GE', 'Normal', 'DM', '0'],
    ['10', 'P10_L_CC', 'L', 'CC', 'P10_L_DM_CC ', '55', 'B', '4', 'mass', 'irregular', 'HOLOGIC', 'Malignant', 'DM', '1'],
    ['10', 'P10_R_CC', 'R', 'CC', 'P10_R_DM_CC', '55', 'B', '2', 'No findings', '', 'HOLOGIC', 'Benign', 'DM', '0'],
  ]);
  t.equal(fs.readlinkSync(path.join(ctx.stage1Dir, '10', 'P10_L_CC.jpg')), path.join(low, 'P10_L_DM_CC.jpg'));
});

t.test('the CLI dataset list matches the stage-1 dispatcher order (§7.0)', async (t) => {
  const { DATASETS } = await import('../../lib/data/stage1');
  const { commands } = await import('../../lib/cli/commands/prepare');
  const usage = commands.find((c) => c.path[1] === 'classification-dataset')!.usage;
  t.match(usage, DATASETS.join(', '));
});
