/**
 * RSNA stage 1 on the real competition DICOMs in ../shared (ALGORITHMS.md §7.1) and VinDr stage 1 on a
 * synthetic tree (§7.2). Expected values are the DICOM header facts (shared/data/dicom/MANIFEST.json,
 * README) and the §7.2 rules applied by hand.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { runStage1 } from '../../lib/data/stage1';
import { readCsv } from '../../lib/data/csv';
import { needsShared, sharedPath, repoRoot } from '../helpers/shared';
import { stage1Context, tempRoots, touch } from '../helpers/rawTrees';
import { writeSyntheticDicom } from '../helpers/dicomWriter';


t.test('RSNA: train.csv joined with the headers of the real train DICOMs', needsShared('data/dicom/rsna-kaggle/train_images'), async (t) => {
  const { raw, processed } = tempRoots('rsna-rsna-');
  const ctx = stage1Context(raw, processed, 'rsna-breast-cancer-detection');
  const shared = sharedPath('data/dicom/rsna-kaggle')!;
  fs.mkdirSync(ctx.rawDir, { recursive: true });
  fs.symlinkSync(path.join(shared, 'train_images'), path.join(ctx.rawDir, 'train_images'));
  const excerpt = readCsv(path.join(shared, 'train_excerpt.csv'));
  const present = excerpt.rows.filter((r) => fs.existsSync(path.join(shared, 'train_images', r[1], `${r[2]}.dcm`)));
  touch(path.join(ctx.rawDir, 'train.csv'), [excerpt.header.join(','), ...present.map((r) => r.join(','))].join('\n') + '\n');
  const res = await runStage1('rsna-breast-cancer-detection', ctx);
  t.equal(res.rows, 5);
  const out = readCsv(ctx.cleanedLabelFile);
  t.same(out.header.slice(0, excerpt.header.length), excerpt.header, 'train.csv columns first');
  t.same(out.header.slice(-4), ['__WindowCenterList', '__WindowCenterListLength', '__WindowWidthList', '__WindowWidthListLength']);
  t.notOk(out.header.includes('__patient_id'), 'metadata patient_id dropped');
  t.same(out.rows.map((r) => r[2]), present.map((r) => r[2]), 'train.csv row order');
  const cell = (imageId: string, c: string) => out.rows.find((r) => r[2] === imageId)![out.header.indexOf(c)];
  // 10006: MONOCHROME1, SIGMOID, 4 window pairs (shared/data/dicom README: multi-valued WindowCenter/Width).
  t.equal(cell('462822612', '__PhotometricInterpretation'), 'MONOCHROME1');
  t.equal(cell('462822612', '__VOILUTFunction'), 'SIGMOID');
  t.equal(cell('462822612', '__WindowCenterList'), '[1802.31, 1802.31, 2020.704, 1583.916]');
  t.equal(cell('462822612', '__WindowCenterListLength'), '4');
  t.equal(cell('462822612', '__Rows'), '5355');
  t.equal(cell('462822612', '__Columns'), '4915');
  t.equal(cell('462822612', 'difficult_negative_case'), 'False');
  t.ok(fs.lstatSync(ctx.stage1Dir).isSymbolicLink(), 'stage1_images links train_images');
});

t.test('VinDr: renames, BIRADS/density tokens, isna flags, cancer = BIRADS 5', async (t) => {
  const { raw, processed } = tempRoots('rsna-vindr-');
  const ctx = stage1Context(raw, processed, 'vindr');
  const study = '8986c1c512f09b69c783c21b52e5d32f';
  const imgs = ['b47636eb30a6c77db3eecd8f71369603', 'b89f13a0c894c384eed78dce95aa4fe0'];
  touch(path.join(ctx.rawDir, 'breast-level_annotations.csv'), [
    'study_id,series_id,image_id,laterality,view_position,height,width,breast_birads,breast_density,split',
    `${study},s1,${imgs[0]},L,CC,3518,2800,BI-RADS 5,DENSITY C,training`,
    `${study},s1,${imgs[1]},R,MLO,3518,2800,BI-RADS 1,DENSITY C,test`,
  ].join('\n') + '\n');
  const common = { SOPInstanceUID: '1.2.3', StudyInstanceUID: '1.2', SeriesInstanceUID: '1.2.9', PhotometricInterpretation: 'MONOCHROME2', Rows: 3518, Columns: 2800, SamplesPerPixel: 1, PixelRepresentation: 0, WindowCenter: '2047', WindowWidth: '4095', RescaleSlope: '1', RescaleIntercept: '0', PatientAge: '053Y' };
  writeSyntheticDicom(path.join(ctx.rawDir, 'images', study, `${imgs[0]}.dicom`), { ...common, VOILUTFunction: 'SIGMOID' });
  writeSyntheticDicom(path.join(ctx.rawDir, 'images', study, `${imgs[1]}.dicom`), { ...common, VOILUTSequence: { sequence: [{ LUTExplanation: 'x' }] } });
  await runStage1('vindr', ctx);
  const out = readCsv(ctx.cleanedLabelFile);
  t.equal(out.header.length, 37);
  t.same(out.header.slice(0, 9), ['patient_id', 'series_id', 'image_id', 'laterality', 'view', 'age', 'BIRADS', 'density', 'split']);
  t.equal(out.header[36], 'cancer');
  const get = (i: number, c: string) => out.rows[i][out.header.indexOf(c)];
  t.same([get(0, 'patient_id'), get(0, 'view'), get(0, 'age'), get(0, 'BIRADS'), get(0, 'density'), get(0, 'cancer')], [study, 'CC', '053Y', '5', 'C', '1']);
  t.same([get(1, 'BIRADS'), get(1, 'cancer'), get(1, 'split')], ['1', '0', 'test']);
  t.same([get(0, '__hasVOILUTSequence'), get(1, '__hasVOILUTSequence')], ['True', 'False'], 'isna(): True means absent');
  t.equal(get(0, '__WindowCenter'), '2047.0');
  t.equal(get(0, '__VOILUTFunction'), 'SIGMOID');
  t.equal(get(1, '__VOILUTFunction'), '');
});
