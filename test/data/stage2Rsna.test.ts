/**
 * Stage 2 on the real RSNA train DICOMs (ALGORITHMS.md §7.7.1) with the Otsu ROI (no trained YOLOX here):
 * each cleaned PNG is the windowed native-size crop of ../shared/golden/preprocess/rsna (made by the
 * original code): size = the golden Otsu box, pixels = trunc of the golden windowed (inverted) crop
 * at its sample positions, and byte-equal to windowedCropUint8 — the classifier-input path.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { runStage1 } from '../../lib/data/stage1';
import { runStage2 } from '../../lib/data/stage2/runStage2';
import { readCsv } from '../../lib/data/csv';
import { readGrayPng } from '../../lib/data/imageFiles';
import { readDicom, decodeFrame, toOriginalInt16 } from '../../lib/dicom';
import { windowedCropUint8 } from '../../lib/preprocess';
import type { Box } from '../../lib/preprocess';
import { needsShared, sharedPath, repoRoot } from '../helpers/shared';
import { tempRoots, touch } from '../helpers/rawTrees';

t.test('RSNA stage 2 (Otsu ROI, 2 worker threads) equals the golden windowed crops', needsShared('golden/preprocess/rsna/index.json'), async (t) => {
  const { raw, processed } = tempRoots('rsna-stage2-');
  const rawDir = path.join(raw, 'rsna-breast-cancer-detection');
  const shared = sharedPath('data/dicom/rsna-kaggle')!;
  fs.mkdirSync(rawDir, { recursive: true });
  fs.symlinkSync(path.join(shared, 'train_images'), path.join(rawDir, 'train_images'));
  const excerpt = readCsv(path.join(shared, 'train_excerpt.csv'));
  // The train images present, less the second 5355x4915 one (same kind as 10006@462822612) to keep the test short.
  const present = excerpt.rows.filter((r) => fs.existsSync(path.join(shared, 'train_images', r[1], `${r[2]}.dcm`)) && r[2] !== '1864590858');
  touch(path.join(rawDir, 'train.csv'), [excerpt.header.join(','), ...present.map((r) => r.join(','))].join('\n') + '\n');
  const p = {
    rawDir,
    stage1Dir: path.join(rawDir, 'stage1_images'),
    cleanedLabelFile: path.join(processed, 'classification', 'rsna', 'cleaned_label.csv'),
    cleanedImagesDir: path.join(processed, 'classification', 'rsna', 'cleaned_images'),
    assetsDataDir: path.join(repoRoot, 'assets', 'data'),
  };
  await runStage1('rsna-breast-cancer-detection', { ...p, log: () => undefined });
  const summary = await runStage2({ ...p, kind: 'dicom', ext: 'dcm', roi: 'otsu', numWorkers: 2 });
  t.same({ done: summary.done, skipped: summary.skipped, failed: summary.failed }, { done: 4, skipped: 0, failed: 0 });
  t.same(summary.roiMethods, { otsu: 4 }, 'ROI methods tallied through the worker threads');

  for (const r of present) {
    const id = `${r[1]}@${r[2]}`;
    const golden = JSON.parse(fs.readFileSync(sharedPath(`golden/preprocess/rsna/${id}/summary.json`)!, 'utf8'));
    const box = golden.otsu.box_fullres_xyxy as Box;
    const png = readGrayPng(path.join(p.cleanedImagesDir, `${id}.png`));
    t.same([png.width, png.height], [box[2] - box[0], box[3] - box[1]], `${id}: PNG = native-size crop of the golden Otsu box`);
    const v = golden.variants.otsu;
    // MONOCHROME2: the golden says "same as windowed_crop" instead of repeating it.
    const windowed = typeof v.windowed_inverted_crop === 'object' ? v.windowed_inverted_crop : v.windowed_crop;
    const inverted = windowed.samples_y_x_value as [number, number, number][];
    const bad = inverted.filter(([y, x, v]) => png.data[y * png.width + x] !== Math.trunc(v));
    t.equal(bad.length, 0, `${id}: ${inverted.length} samples = trunc(golden windowed crop)`);
    // Same bytes as the classifier-input crop+window path (checked on the smaller 10011 images to keep the test short).
    if (r[1] !== '10011') continue;
    const dicom = await readDicom(path.join(shared, 'train_images', r[1], `${r[2]}.dcm`));
    const frame = await decodeFrame(dicom);
    const crop = await windowedCropUint8(toOriginalInt16(frame), frame.rows, frame.columns, box, {
      windowCenter: dicom.windowCenter, windowWidth: dicom.windowWidth, voiLutFunction: dicom.voiLutFunction,
      invert: dicom.photometricInterpretation === 'MONOCHROME1',
    });
    t.ok(Buffer.from(crop.pixels).equals(Buffer.from(png.data)), `${id}: identical to windowedCropUint8`);
  }

  // Resumable: a second run skips every finished image; a bad source is listed and does not stop the run.
  const firstPng = path.join(p.cleanedImagesDir, `${present[1][1]}@${present[1][2]}.png`); // a small 10011 image
  fs.rmSync(firstPng);
  fs.appendFileSync(p.cleanedLabelFile, '2,99999,1,L,CC\n'); // site_id, patient_id, image_id: no such DICOM
  const again = await runStage2({ ...p, kind: 'dicom', ext: 'dcm', roi: 'otsu', numWorkers: 1 });
  t.same({ done: again.done, skipped: again.skipped, failed: again.failed }, { done: 5, skipped: 3, failed: 1 });
  t.ok(fs.existsSync(firstPng), 'the removed PNG was redone');
  t.match(fs.readFileSync(again.errorsFile!, 'utf8'), /image_id,source,reason\n1,/);
});
