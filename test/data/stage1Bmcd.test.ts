/**
 * BMCD stage 1 on a miniature raw tree (ALGORITHMS.md §7.6) against the shipped
 * assets/data/bmcd_cleaned_label.csv of the original: column order, values and row order for the
 * mirrored cases. The synthetic DICOMs carry the header values of the shipped rows.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { stage1Bmcd } from '../../lib/data/stage1/bmcd';
import { readCsv } from '../../lib/data/csv';
import { needsShared, sharedPath } from '../helpers/shared';
import { layoutFiles, ORIGINAL_ASSETS, shippedCleaned, tempRoots, touch } from '../helpers/rawTrees';
import { writeSyntheticDicom } from '../helpers/dicomWriter';
import { repoRoot } from '../helpers/shared';

// suspicious 1 (benign), 11 (malignant: priors relabelled), 43 (WC 2048 priors), normal 1 (NaN biopsy),
// suspicious 4 (NOT AVAILABLE: dropped, has no folder here).
const CASES = [['suspicious', 1], ['suspicious', 4], ['suspicious', 11], ['suspicious', 43], ['normal', 1]] as const;

t.test('BMCD stage 1 reproduces the shipped cleaned rows', needsShared(`${ORIGINAL_ASSETS}/assets/data/bmcd_cleaned_label.csv`), async (t) => {
  const { raw, processed } = tempRoots('rsna-bmcd-');
  const rawDir = path.join(raw, 'bmcd');
  const shipped = shippedCleaned('bmcd');
  const col = (r: string[], name: string) => r[shipped.header.indexOf(name)];
  // label.csv: the raw label rows of the mirrored cases, in file order.
  const rawLabel = readCsv(sharedPath(`${ORIGINAL_ASSETS}/assets/data/bmcd_raw_label.csv`)!);
  const keep = rawLabel.rows.filter((r) => CASES.some(([type, dir]) => r[6] === type && r[0] === String(dir)));
  touch(path.join(rawDir, 'label.csv'), [rawLabel.header.join(','), ...keep.map((r) => r.join(','))].join('\n') + '\n');
  for (const f of layoutFiles('bmcd')) {
    const m = /^Dataset\/(Normal|Suspicious)_cases\/(\d+)\/(.+)$/.exec(f);
    if (!m || !CASES.some(([type, dir]) => type === m[1].toLowerCase() && String(dir) === m[2])) continue;
    const file = path.join(rawDir, f);
    if (!f.toLowerCase().endsWith('.dcm')) {
      touch(file);
      continue;
    }
    const row = shipped.byImage.get(`${m[1].toLowerCase()}_${m[2]}${m[3].split('.')[0]}`);
    if (!row) continue; // dropped case (NOT AVAILABLE): not in the shipped CSV, its folder is never read
    writeSyntheticDicom(file, {
      WindowWidth: col(row, '__WindowWidth').replace(/\.0$/, ''),
      WindowCenter: col(row, '__WindowCenter').replace(/\.0$/, ''),
      WindowCenterWidthExplanation: col(row, '__WindowCenterWidthExplanation'),
      RescaleType: col(row, '__RescaleType'),
      RescaleSlope: col(row, '__RescaleSlope'),
      RescaleIntercept: col(row, '__RescaleIntercept'),
      Rows: Number(col(row, '__Rows')),
      Columns: Number(col(row, '__Columns')),
      BitsAllocated: Number(col(row, '__BitsAllocated')),
      BitsStored: Number(col(row, '__BitsStored')),
    });
  }
  const ctx = {
    rawDir,
    stage1Dir: path.join(rawDir, 'stage1_images'),
    cleanedLabelFile: path.join(processed, 'classification', 'bmcd', 'cleaned_label.csv'),
    assetsDataDir: path.join(repoRoot, 'assets', 'data'),
    log: () => undefined,
  };
  const res = stage1Bmcd(ctx);
  const mirroredPatients = new Set(['suspicious_1', 'suspicious_11', 'suspicious_43', 'normal_1']);
  const expected = shipped.rows.filter((r) => mirroredPatients.has(r[0]));
  t.equal(res.rows, 16);
  const mine = readCsv(ctx.cleanedLabelFile);
  t.same(mine.header, shipped.header, 'column order');
  t.same(mine.rows, expected, 'values and (shipped) row order');
  t.ok(fs.lstatSync(path.join(ctx.stage1Dir, 'suspicious_11', 'suspicious_11MLO_prior.dcm')).isSymbolicLink(), 'stage1_images symlink');

  stage1Bmcd(ctx, 'code');
  const keys = readCsv(ctx.cleanedLabelFile).rows.map((r) => [r[0], r[8]]);
  const cmp = (a: string[], b: string[]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  t.same(keys, [...keys].sort(cmp), 'code order: sorted by (patient_id, image_id)');
  t.same(keys.slice(0, 2), [['normal_1', 'normal_1CC_prior'], ['normal_1', 'normal_1CC_recent']]);
});
