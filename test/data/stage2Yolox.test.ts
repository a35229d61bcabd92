/**
 * Stage 2 with a YOLOX model (ALGORITHMS.md §7.7.4: each worker loads its own detector): the golden
 * YOLOX checkpoint converted to ONNX, two worker threads, on the three 10011 train images. Each PNG must
 * equal the one-image path detectRoi(model) → windowedCropUint8 run here in process.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { convertYolox } from '../../lib/models/convert_yolox';
import { detectRoi, yoloxRunnerFromModel } from '../../lib/roi';
import { readDicom, decodeFrame, toOriginalInt16 } from '../../lib/dicom';
import { windowedCropUint8 } from '../../lib/preprocess';
import { runStage2 } from '../../lib/data/stage2/runStage2';
import { readGrayPng } from '../../lib/data/imageFiles';
import { needsShared, sharedPath } from '../helpers/shared';
import { stage1Context, tempRoots, touch } from '../helpers/rawTrees';

const IMAGES = ['270344397', '1031443799', '220375232'];

t.test('stage 2 with --roi-yolox-engine on worker threads = detectRoi(model) + windowedCropUint8', needsShared('golden/yolox/yolox_nano_416_roi_torch_shifted.pth'), async (t) => {
  const { root, raw, processed } = tempRoots('rsna-stage2-yolox-');
  const onnx = path.join(root, 'yolox.onnx');
  await convertYolox(sharedPath('golden/yolox/yolox_nano_416_roi_torch_shifted.pth')!, onnx);
  const ctx = stage1Context(raw, processed, 'rsna');
  touch(ctx.cleanedLabelFile, ['patient_id,image_id', ...IMAGES.map((i) => `10011,${i}`)].join('\n') + '\n');
  fs.mkdirSync(ctx.rawDir, { recursive: true });
  fs.symlinkSync(sharedPath('data/dicom/rsna-kaggle/train_images')!, ctx.stage1Dir);
  const summary = await runStage2({ ...ctx, kind: 'dicom', ext: 'dcm', roi: 'yolox', roiModel: onnx, numWorkers: 2 });
  t.same({ done: summary.done, failed: summary.failed }, { done: 3, failed: 0 });

  const detector = await yoloxRunnerFromModel(onnx, { backend: 'onnxruntime', threads: 1 });
  t.teardown(() => detector.dispose());
  for (const id of IMAGES) {
    const dicom = await readDicom(path.join(ctx.stage1Dir, '10011', `${id}.dcm`));
    const frame = await decodeFrame(dicom);
    const rawPx = toOriginalInt16(frame);
    const invert = dicom.photometricInterpretation === 'MONOCHROME1';
    const roi = await detectRoi(rawPx, frame.rows, frame.columns, invert, { detector });
    const crop = await windowedCropUint8(rawPx, frame.rows, frame.columns, roi.box, { windowCenter: dicom.windowCenter, windowWidth: dicom.windowWidth, voiLutFunction: dicom.voiLutFunction, invert });
    const png = readGrayPng(path.join(ctx.cleanedImagesDir, `10011@${id}.png`));
    t.same([png.width, png.height], [crop.cols, crop.rows], `10011@${id}: ${roi.method} box ${roi.box.join(',')}`);
    t.ok(Buffer.from(png.data).equals(Buffer.from(crop.pixels)), `10011@${id}: same bytes`);
  }
});
