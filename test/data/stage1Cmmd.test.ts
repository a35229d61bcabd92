/**
 * CMMD stage 1 on a miniature raw tree (ALGORITHMS.md §7.4) against the shipped
 * assets/data/cmmd_cleaned_label.csv: column order, values and row order for the mirrored patients.
 * Each synthetic DICOM carries the header values of its shipped row (VR from the dictionary).
 */
import t from 'tap';
import path from 'path';
import { stage1Cmmd, CMMD_DICOM_KEYWORDS } from '../../lib/data/stage1/cmmd';
import { DICOM_TAGS } from '../../lib/data/stage1/dicomKeywords';
import { readCsv } from '../../lib/data/csv';
import { needsShared, sharedPath, repoRoot } from '../helpers/shared';
import { layoutFiles, ORIGINAL_ASSETS, shippedCleaned, tempRoots, touch } from '../helpers/rawTrees';
import { DicomAttr, writeSyntheticDicom } from '../helpers/dicomWriter';

// D1-0001: one labelled breast; D1-0830: both breasts labelled; D2-0111: malignant left, unlabelled right ("Normal").
const PATIENTS = ['D1-0001', 'D1-0830', 'D2-0111'];

/** A shipped cell back to a DICOM attribute value (lists are pydicom MultiValue prints). */
function attrFromCell(vr: string, cell: string): DicomAttr | undefined {
  if (cell.startsWith('[')) return cell.slice(1, -1).split(', ').map((s) => s.replace(/^'(.*)'$/, '$1'));
  if (['US', 'SS', 'UL', 'SL'].includes(vr)) return cell === '' ? undefined : Number(cell);
  if ((vr === 'DS' || vr === 'IS') && cell === '') return undefined;
  return cell;
}

t.test('CMMD stage 1 reproduces the shipped cleaned rows', needsShared(`${ORIGINAL_ASSETS}/assets/data/cmmd_cleaned_label.csv`), async (t) => {
  const { raw, processed } = tempRoots('rsna-cmmd-');
  const rawDir = path.join(raw, 'cmmd');
  const shipped = shippedCleaned('cmmd');
  const rawLabel = readCsv(sharedPath(`${ORIGINAL_ASSETS}/assets/data/cmmd_raw_label.csv`)!);
  const keep = rawLabel.rows.filter((r) => PATIENTS.includes(r[0]));
  touch(path.join(rawDir, 'label.csv'), [rawLabel.header.join(','), ...keep.map((r) => r.join(','))].join('\n') + '\n');
  for (const f of layoutFiles('cmmd')) {
    const m = /^CMMD\/([^/]+)\/[^/]+\/[^/]+\/([^/]+\.dcm)$/.exec(f);
    if (!m || !PATIENTS.includes(m[1])) continue;
    const row = shipped.byImage.get(`${m[1]}_${m[2].replace('.dcm', '')}`)!;
    const attrs: Record<string, DicomAttr> = { ImageLaterality: row[shipped.header.indexOf('laterality')] };
    for (const kw of CMMD_DICOM_KEYWORDS) {
      const v = attrFromCell(DICOM_TAGS[kw][1], row[shipped.header.indexOf(`__${kw}`)]);
      if (v !== undefined) attrs[kw] = v;
    }
    // CodeValue/CodeMeaning live in a sequence item in real files (the last one visited wins).
    const code = { CodeValue: attrs.CodeValue as string, CodeMeaning: attrs.CodeMeaning as string };
    delete attrs.CodeValue;
    delete attrs.CodeMeaning;
    attrs.ViewCodeSequence = { sequence: [code] };
    writeSyntheticDicom(path.join(rawDir, f), attrs);
  }
  const ctx = {
    rawDir,
    stage1Dir: path.join(rawDir, 'stage1_images'),
    cleanedLabelFile: path.join(processed, 'classification', 'cmmd', 'cleaned_label.csv'),
    assetsDataDir: path.join(repoRoot, 'assets', 'data'),
    log: () => undefined,
  };
  const res = stage1Cmmd(ctx);
  t.equal(res.images, 10);
  const mine = readCsv(ctx.cleanedLabelFile);
  t.same(mine.header, shipped.header, 'column order');
  const expected = shipped.rows.filter((r) => PATIENTS.includes(r[0]));
  t.same(mine.rows, expected, 'values and shipped row order');

  stage1Cmmd(ctx, 'code');
  t.same(readCsv(ctx.cleanedLabelFile).rows.map((r) => r[1]), ['D1-0001_1-1', 'D1-0001_1-2', 'D1-0830_1-1', 'D1-0830_1-2', 'D1-0830_1-3', 'D1-0830_1-4', 'D2-0111_1-1', 'D2-0111_1-2', 'D2-0111_1-3', 'D2-0111_1-4'], 'code order: sorted');
});
