/**
 * `prepare roi-dataset` end to end on a miniature asset folder and synthetic DICOMs (ALGORITHMS.md §7.8):
 * min-max PNGs (values by hand from §1.8.3), COCO images/JSON ids across splits, resume.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import jpeg from 'jpeg-js';
import { prepareRoiDataset } from '../../lib/data/roiDataset/prepareRoiDataset';
import { decodeDicomMinMax } from '../../lib/data/roiDataset/decodeMinMax';
import { readGrayPng } from '../../lib/data/imageFiles';
import { tempRoots, touch } from '../helpers/rawTrees';
import { writeSyntheticDicom } from '../helpers/dicomWriter';

t.test('roi-dataset: PNG min-max, COCO JSON and JPEGs', async (t) => {
  const { root, raw, processed } = tempRoots('rsna-roids-');
  const assets = path.join(root, 'assets', 'roi_det_yolov5_format');
  touch(path.join(assets, 'classes.txt'), 'ROI\n');
  touch(path.join(assets, 'train.txt'), 'images/1@11.png\nimages/2@21.png');
  touch(path.join(assets, 'val.txt'), 'images/3@31.png');
  touch(path.join(assets, 'labels', '1@11.txt'), '0 0.500000 0.500000 0.500000 0.500000\n');
  touch(path.join(assets, 'labels', '2@21.txt'), '0 0.250000 0.500000 0.600000 1.000000\n');
  touch(path.join(assets, 'labels', '3@31.txt'), '0 0.500000 0.500000 1.000000 1.000000\n');
  const dicomDir = path.join(raw, 'rsna-breast-cancer-detection', 'train_images');
  // 2x4 image, values 100..107: r = (x-100)/7; PNG = trunc(255 r), MONOCHROME1: trunc(255 (1 - r)).
  const px = Uint16Array.from({ length: 8 }, (_, i) => 100 + i);
  writeSyntheticDicom(path.join(dicomDir, '1', '11.dcm'), { PhotometricInterpretation: 'MONOCHROME2' }, { rows: 2, columns: 4, data: px });
  writeSyntheticDicom(path.join(dicomDir, '2', '21.dcm'), { PhotometricInterpretation: 'MONOCHROME1' }, { rows: 2, columns: 4, data: px });
  writeSyntheticDicom(path.join(dicomDir, '3', '31.dcm'), { PhotometricInterpretation: 'MONOCHROME2' }, { rows: 4, columns: 2, data: new Uint16Array(8).fill(5) });
  const outDir = path.join(processed, 'roi_det_yolox');
  const res = await prepareRoiDataset({ assetDir: assets, dicomDir, outDir, decode: decodeDicomMinMax, numWorkers: 2, year: 2026 });
  t.same(res, { images: { train: 2, val: 1 }, annotations: 3, failures: [] });

  const png1 = readGrayPng(path.join(outDir, 'yolov5_format', 'images', '1@11.png'));
  t.same(Array.from(png1.data), [0, 36, 72, 109, 145, 182, 218, 255], 'trunc(255·(x−min)/(max−min))');
  const png2 = readGrayPng(path.join(outDir, 'yolov5_format', 'images', '2@21.png'));
  t.same(Array.from(png2.data), [255, 218, 182, 145, 109, 72, 36, 0], 'MONOCHROME1: trunc(255·(1 − r))');
  const png3 = readGrayPng(path.join(outDir, 'yolov5_format', 'images', '3@31.png'));
  t.same(Array.from(png3.data), [0, 0, 0, 0, 0, 0, 0, 0], 'constant image: x − min = 0');

  const coco = path.join(outDir, 'coco_format');
  t.same(fs.readdirSync(path.join(coco, 'train2017')), ['000000000001.jpg', '000000000002.jpg']);
  t.same(fs.readdirSync(path.join(coco, 'val2017')), ['000000000001.jpg']);
  const jp = jpeg.decode(fs.readFileSync(path.join(coco, 'train2017', '000000000001.jpg')));
  t.same([jp.width, jp.height], [4, 2], '3-channel JPEG of the PNG');
  const train = fs.readFileSync(path.join(coco, 'annotations', 'instances_train2017.json'), 'utf8');
  // Image 2 (W 4, H 2): cx 1, w 2.4 → x0 = max(1 − 1.2, 0) = int 0, x1 = min(0 + 2.4, 4) = 2.4.
  t.ok(train.includes('"segmentation": [[0, 0.0, 2.4, 0.0, 2.4, 2.0, 0, 2.0]], "area": 4.8, "iscrowd": 0, "image_id": 2, "bbox": [0, 0.0, 2.4, 2.0], "category_id": 1, "id": 2}'), train);
  const val = JSON.parse(fs.readFileSync(path.join(coco, 'annotations', 'instances_val2017.json'), 'utf8'));
  t.same(val.images, [{ date_captured: '2026', file_name: '000000000001.jpg', id: 1, height: 4, width: 2 }]);
  t.equal(val.annotations[0].id, 3, 'annotation ids continue from train');
  t.same(fs.readdirSync(path.join(outDir, 'yolov5_format', 'background_images')), []);

  // A missing DICOM is reported, the rest goes on; --resume keeps decoded PNGs.
  fs.rmSync(path.join(dicomDir, '3', '31.dcm'));
  const again = await prepareRoiDataset({ assetDir: assets, dicomDir, outDir, decode: decodeDicomMinMax, numWorkers: 1, resume: true, year: 2026 });
  t.same(again.images, { train: 2, val: 1 }, 'PNG of the removed DICOM was kept by resume');
  fs.rmSync(outDir, { recursive: true });
  const fresh = await prepareRoiDataset({ assetDir: assets, dicomDir, outDir, decode: decodeDicomMinMax, numWorkers: 1, year: 2026 });
  t.equal(fresh.failures.length, 1);
  t.match(fresh.failures[0].file, /31\.dcm$/);
  t.same(fresh.images, { train: 2, val: 0 });
});
