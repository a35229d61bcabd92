/**
 * The synthetic raw data of `reproduce --tiny` (ALGORITHMS.md §12.2): a miniature RSNA competition set in
 * the original layout — RAW/rsna-breast-cancer-detection/train.csv + train_images/{patient}/{image}.dcm
 * (16-bit MONOCHROME2 DICOMs with window tags) — and its breast-ROI annotations in the layout of the
 * shipped {ASSETS_DIR}/data/roi_det_yolov5_format (classes.txt, train.txt, val.txt, labels/*.txt), so the
 * real `prepare roi-dataset` and `prepare classification-dataset` run on them. Each image is a dark
 * background with a half-ellipse "breast" against the side of its laterality (its bounding box is the ROI
 * label) and, on cancer images, a bright blob inside it.
 */
import fs from 'fs';
import path from 'path';
import { writeCsvAtomic } from '../data/csv';
import { writeSyntheticDicom } from './dicomWriter';

const ROWS = 192;
const COLS = 112;

export interface TinyRawResult {
  images: number;
  patients: number;
  roi: { train: number; val: number };
}

/** Box [x0, y0, x1, y1) of the breast of an image, and its pixels. */
function breastImage(iid: number, left: boolean, cancer: boolean): { data: Uint16Array; box: [number, number, number, number] } {
  const rx = Math.round(COLS * (0.55 + (iid % 5) * 0.07));
  const ry = Math.round(ROWS * (0.3 + (iid % 4) * 0.04));
  const cy = Math.round(ROWS / 2 + ((iid % 7) - 3) * 4);
  const edge = left ? 0 : COLS - 1;
  const data = new Uint16Array(ROWS * COLS);
  let x0 = COLS, y0 = ROWS, x1 = 0, y1 = 0;
  const blob = { x: left ? rx * 0.5 : COLS - 1 - rx * 0.5, y: cy + ((iid % 3) - 1) * ry * 0.3 };
  for (let y = 0; y < ROWS; y++) {
    for (let x = 0; x < COLS; x++) {
      const inside = ((x - edge) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
      let v = 20 + ((x * 13 + y * 7 + iid) % 11);
      if (inside) {
        v = 900 + ((x * 7 + y * 3 + iid * 11) % 97) * 4;
        if (cancer && Math.hypot(x - blob.x, y - blob.y) < 7) v += 1500;
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1);
      }
      data[y * COLS + x] = v;
    }
  }
  return { data, box: [x0, y0, x1, y1] };
}

/**
 * Writes `patients` patients (2 images each: L CC, R MLO; every third patient has a cancer on the left)
 * under rawDir and the ROI annotations of the first `roiImages` images (every fourth goes to val) under
 * roiAssetDir.
 */
export function writeTinyRawData(rawDir: string, roiAssetDir: string, patients: number, roiImages: number): TinyRawResult {
  const rsna = path.join(rawDir, 'rsna-breast-cancer-detection');
  const header = ['site_id', 'patient_id', 'image_id', 'laterality', 'view', 'age', 'cancer', 'biopsy', 'invasive', 'BIRADS', 'implant',
    'density', 'machine_id', 'difficult_negative_case'];
  const rows: string[][] = [];
  const roi: { name: string; label: string }[] = [];
  for (let p = 0; p < patients; p++) {
    const pid = 10000 + p;
    for (const [k, lat] of ['L', 'R'].entries()) {
      const iid = pid * 10 + k;
      const cancer = p % 3 === 0 && lat === 'L';
      const { data, box } = breastImage(iid, lat === 'L', cancer);
      writeSyntheticDicom(path.join(rsna, 'train_images', String(pid), `${iid}.dcm`), {
        SOPInstanceUID: `1.2.826.0.1.3680043.8.498.${iid}`, PatientID: String(pid), ImageLaterality: lat, ViewPosition: k ? 'MLO' : 'CC',
        WindowCenter: '1300', WindowWidth: '2400', VOILUTFunction: 'LINEAR', BitsStored: 12, PhotometricInterpretation: 'MONOCHROME2',
      }, { rows: ROWS, columns: COLS, data });
      rows.push([String(1 + (p % 2)), String(pid), String(iid), lat, k ? 'MLO' : 'CC', String(50 + (p % 20)), cancer ? '1' : '0',
        cancer ? '1' : '0', cancer ? '1' : '0', '', '0', 'B', '49', 'False']);
      if (roi.length < roiImages) {
        const [x0, y0, x1, y1] = box;
        const f = (v: number) => v.toFixed(6);
        roi.push({ name: `${pid}@${iid}`, label: `0 ${f((x0 + x1) / 2 / COLS)} ${f((y0 + y1) / 2 / ROWS)} ${f((x1 - x0) / COLS)} ${f((y1 - y0) / ROWS)}\n` });
      }
    }
  }
  writeCsvAtomic(path.join(rsna, 'train.csv'), header, rows);
  fs.mkdirSync(path.join(roiAssetDir, 'labels'), { recursive: true });
  fs.writeFileSync(path.join(roiAssetDir, 'classes.txt'), 'ROI\n');
  const val = roi.filter((_, i) => i % 4 === 3);
  const train = roi.filter((_, i) => i % 4 !== 3);
  for (const r of roi) fs.writeFileSync(path.join(roiAssetDir, 'labels', `${r.name}.txt`), r.label);
  fs.writeFileSync(path.join(roiAssetDir, 'train.txt'), train.map((r) => `images/${r.name}.png\n`).join(''));
  fs.writeFileSync(path.join(roiAssetDir, 'val.txt'), val.map((r) => `images/${r.name}.png\n`).join(''));
  return { images: rows.length, patients, roi: { train: train.length, val: val.length } };
}
