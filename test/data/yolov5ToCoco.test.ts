/**
 * YOLOv5 → COCO on the 571 shipped annotations with the original converter's conventions
 * (ALGORITHMS.md §7.8.3). Expected annotation texts were computed by hand from §7.8.3 (Python float
 * arithmetic of cx·W − w·W/2 …, printed by Python's json) for the image sizes given.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { Yolov5ToCoco, readLines } from '../../lib/data/roiDataset/yolov5ToCoco';
import { pyJsonDumps, pyFloatRepr, PyJson } from '../../lib/data/pythonJson';
import { repoRoot } from '../helpers/shared';

const ASSETS = path.join(repoRoot, 'assets', 'data', 'roi_det_yolov5_format');
// Real sizes (Rows x Columns of the DICOM) where we know them; 100x80 elsewhere (sizes only scale boxes).
const SIZES: Record<string, [number, number]> = { '10006@462822612': [5355, 4915], '10130@1360338805': [4096, 3328] };

function inputsFor(split: 'train' | 'val') {
  const list = readLines(fs.readFileSync(path.join(ASSETS, `${split}.txt`), 'utf8'));
  return list.map((rel) => {
    const stem = path.basename(rel, '.png');
    const [height, width] = SIZES[stem] ?? [100, 80];
    return { stem, height, width, labelText: fs.readFileSync(path.join(ASSETS, 'labels', `${stem}.txt`), 'utf8') };
  });
}

t.test('shipped assets: 571 labels, 521 train / 50 val, one ROI class (§7.8.1)', async (t) => {
  t.equal(fs.readdirSync(path.join(ASSETS, 'labels')).filter((f) => f.endsWith('.txt')).length, 571);
  t.same(readLines(fs.readFileSync(path.join(ASSETS, 'classes.txt'), 'utf8')), ['ROI']);
  t.ok(fs.readFileSync(path.join(ASSETS, 'LICENSE'), 'utf8').includes('MIT License'), 'MIT attribution shipped');
});

t.test('converter output: counts, ids, categories and hand-computed boxes', async (t) => {
  const conv = new Yolov5ToCoco(['ROI'], 2026);
  const train = inputsFor('train');
  const val = inputsFor('val');
  const tj = conv.convertSplit(train);
  const vj = conv.convertSplit(val);
  const tImages = tj.images as Array<Record<string, PyJson>>;
  const tAnns = tj.annotations as Array<Record<string, PyJson>>;
  const vAnns = vj.annotations as Array<Record<string, PyJson>>;
  t.equal(tImages.length, 521);
  t.equal((vj.images as unknown[]).length, 50);
  t.equal(tAnns.length, 521);
  t.equal(vAnns.length, 50);
  t.same(tImages[268], { date_captured: '2026', file_name: '000000000269.jpg', id: 269, height: 5355, width: 4915 });
  t.equal(pyJsonDumps(tj.categories), '[{"supercategory": "ROI", "id": 1, "name": "ROI"}]');
  t.equal(
    pyJsonDumps(tAnns[268]),
    '{"segmentation": [[4.797040000000038, 894.2421599999998, 1180.75011, 894.2421599999998, 1180.75011, 4241.11716, 4.797040000000038, 4241.11716]], "area": 3935767.93115625, "iscrowd": 0, "image_id": 269, "bbox": [4.797040000000038, 894.2421599999998, 1175.95307, 3346.875], "category_id": 1, "id": 269}',
    '10006@462822612 (train line 269)',
  );
  t.equal(
    pyJsonDumps(tAnns[296]),
    '{"segmentation": [[1589.2514560000002, 672.0020480000001, 3328, 672.0020480000001, 3328, 3648.0, 1589.2514560000002, 3648.0]], "area": 5174517.058047574, "iscrowd": 0, "image_id": 297, "bbox": [1589.2514560000002, 672.0020480000001, 1738.750208, 2975.997952], "category_id": 1, "id": 297}',
    '10130@1360338805: right edge clipped to the int width',
  );
  t.equal(
    pyJsonDumps(vAnns[0]),
    '{"segmentation": [[55.07816, 3.222699999999996, 79.84376, 3.222699999999996, 79.84376, 82.03129999999999, 55.07816, 82.03129999999999]], "area": 1951.7422641599999, "iscrowd": 0, "image_id": 1, "bbox": [55.07816, 3.222699999999996, 24.7656, 78.8086], "category_id": 1, "id": 522}',
    'val image ids restart at 1, annotation ids continue at 522',
  );
  t.equal(pyJsonDumps(tj.info), '{"year": 2026, "version": "1.0", "description": "For object detection", "date_created": "2026"}');
});

t.test('left clip gives Python int 0; missing label gives the dummy annotation', async (t) => {
  const conv = new Yolov5ToCoco(['ROI'], 2026);
  const j = conv.convertSplit([
    { height: 50, width: 100, labelText: '0 0.05 0.5 0.2 0.4\n' },
    { height: 50, width: 100, labelText: undefined },
    { height: 50, width: 100, labelText: '0 0.5 0.5\n' },
  ]);
  const anns = j.annotations as PyJson[];
  t.equal(
    pyJsonDumps(anns[0]),
    '{"segmentation": [[0, 15.0, 20.0, 15.0, 20.0, 35.0, 0, 35.0]], "area": 400.0, "iscrowd": 0, "image_id": 1, "bbox": [0, 15.0, 20.0, 20.0], "category_id": 1, "id": 1}',
  );
  t.equal(pyJsonDumps(anns[1]), '{"segmentation": [], "area": 0, "iscrowd": 0, "image_id": 2, "bbox": [], "category_id": -1, "id": 2}');
  t.equal(anns.length, 2, 'corrupted line skipped');
});

t.test('Python float repr', async (t) => {
  t.same([1e-5, 1.5e16, 123, -0, 0.1].map(pyFloatRepr), ['1e-05', '1.5e+16', '123.0', '-0.0', '0.1']);
});
