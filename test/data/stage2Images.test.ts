/**
 * Stage 2 of MiniDDSM (16-bit PNG, §7.7.2) and CDD-CESM (8-bit JPEG, §7.7.3) through the CLI
 * `prepare classification-dataset --roi otsu` on synthetic images: each cleaned PNG must be
 * trunc(255 · percentile_min_max(crop)) with percentile_min_max as §1.6 defines it (numpy P99 with
 * linear interpolation, minus 1; lower bound = min; clipped to [0, 1]) — computed here independently.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { Writable } from 'stream';
import ExcelJS from 'exceljs';
import { readDicom, decodeFrame } from '../../lib/dicom';
import { encode as encodePng } from 'fast-png';
import { main } from '../../lib/cli/main';
import { stage2Image } from '../../lib/data/stage2/processImage';
import { readGrayPng } from '../../lib/data/imageFiles';
import { tempRoots, touch } from '../helpers/rawTrees';
import { needsShared, sharedPath } from '../helpers/shared';

const JPEG_DCM = 'data/dicom/pylibjpeg-data/JPEGBaseline/JPEGBaseline_1s_1f_u_08_08.dcm';

const W = 64;
const H = 48;

/** A dark background with a bright half-disc "breast" on the left edge. */
function phantom(max: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = (x / 30) ** 2 + ((y - 24) / 18) ** 2 < 1;
      out.push(inside ? Math.round(max * (0.5 + 0.4 * Math.cos(x / 9) * Math.sin(y / 7 + 1) ** 2)) : Math.round(max * 0.02) + ((x * 7 + y * 3) % 5));
    }
  }
  return out;
}

/** numpy.percentile(a, 99) (linear) − 1, min, and the §1.6 scaling of one value. */
function percentileScaler(values: number[]): (v: number) => number {
  const a = [...values].sort((p, q) => p - q);
  const rank = 0.99 * (a.length - 1);
  const lo = Math.floor(rank);
  const frac = rank - lo;
  const hiVal = lo + 1 < a.length ? a[lo] + (a[lo + 1] - a[lo]) * frac : a[lo];
  const hi = hiVal - 1;
  const min = a[0];
  return (v) => Math.min(Math.max(hi > min ? (v - min) / (hi - min) : v - min, 0), 1);
}

function expectedCrop(src: number[], box: number[], width = W): number[] {
  const [x0, y0, x1, y1] = box;
  const crop: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) crop.push(src[y * width + x]);
  const f = percentileScaler(crop);
  return crop.map((v) => Math.trunc(f(v) * 255));
}

async function xlsx(file: string, sheet: string, rows: (string | number | null)[][]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  rows.forEach((r) => ws.addRow(r));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
}

t.test('MiniDDSM and CDD-CESM stage 1 + 2 through the CLI', needsShared(JPEG_DCM), async (t) => {
  const { root, raw, processed } = tempRoots('rsna-stage2img-');
  const settings = path.join(root, 'SETTINGS.json');
  fs.writeFileSync(settings, JSON.stringify({ RAW_DATA_DIR: './raw/', PROCESSED_DATA_DIR: './processed/', ASSETS_DIR: path.join(__dirname, '..', '..', 'assets') }));

  const u16 = phantom(40000);
  const pngFile = path.join(raw, 'miniddsm', 'MINI-DDSM-Complete-PNG-16', 'Cancer', '0099', 'C_0099_1.LEFT_CC.png');
  touch(pngFile, Buffer.from(encodePng({ width: W, height: H, data: Uint16Array.from(u16), channels: 1, depth: 16 })));
  await xlsx(path.join(raw, 'miniddsm', 'Data-MoreThanTwoMasks', 'Data-MoreThanTwoMasks.xlsx'), 'Sheet1', [
    ['fullPath', 'fileName', 'View', 'Side', 'Status', 'Tumour_Contour', 'Tumour_Contour2', 'Tumour_Contour3', 'Tumour_Contour4', 'Tumour_Contour5', 'Tumour_Contour6', 'Age', 'Density'],
    ['x', 'C_0099_1.LEFT_CC.png', 'CC', 'LEFT', 'Cancer', '[(1, 2), (3, 4)]', null, null, null, null, null, 61, 3],
  ]);
  // A real 8-bit grayscale baseline JPEG stream (pylibjpeg-data, MIT), taken out of its DICOM wrapper.
  const jpegDicom = await readDicom(sharedPath(JPEG_DCM)!);
  const frag = jpegDicom.pixelData!.fragments![0];
  const jpgFile = path.join(raw, 'cddcesm', 'Low energy images of CDD-CESM', 'P10_L_DM_CC.jpg');
  touch(jpgFile, Buffer.from(jpegDicom.pixelData!.bytes.subarray(frag.position, frag.position + frag.length)));
  await xlsx(path.join(raw, 'cddcesm', 'Radiology manual annotations.xlsx'), 'all', [
    ['Image_name', 'Patient_ID', 'Side', 'Type', 'Age', 'Breast density (ACR)', 'BIRADS', 'Findings', 'View', 'Tags', 'Machine', 'Pathology Classification/ Follow up'],
    ['P10_L_DM_CC', 10, 'L', 'DM', 55, 'B', 4, 'mass', 'CC', null, 'HOLOGIC', 'Malignant'],
  ]);

  let out = '';
  let err = '';
  const io = { stdout: new Writable({ write(c, _e, cb) { out += String(c); cb(); } }), stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }) };
  const code = await main(['prepare', 'classification-dataset', '--settings', settings, '--datasets', 'miniddsm,cddcesm', '--roi', 'otsu', '--num-workers', '1'], io);
  t.equal(code, 0, err);
  t.match(out, /miniddsm: 1 label rows, 1 images \(0 already done, 0 failed\)/);
  t.match(err, /miniddsm stage 2: 1\/1 \(100\.0%\)/, 'plain progress lines when not a TTY');

  const mPng = readGrayPng(path.join(processed, 'classification', 'miniddsm', 'cleaned_images', 'C_0099_1@C_0099_1|LEFT|CC.png'));
  const mRoi = (await stage2Image('png16', pngFile, { method: 'otsu' })).roi;
  t.equal(mRoi.method, 'otsu');
  t.same([mPng.width, mPng.height], [mRoi.box[2] - mRoi.box[0], mRoi.box[3] - mRoi.box[1]]);
  t.same(Array.from(mPng.data), expectedCrop(u16, mRoi.box), 'MiniDDSM: trunc(255 · percentile_min_max(uint16 crop))');

  // Reference pixels: the DICOM's frame (checked against DCMTK/GDCM decodes in MANIFEST.json by the dicom tests).
  const ref = await decodeFrame(jpegDicom);
  const cPng = readGrayPng(path.join(processed, 'classification', 'cddcesm', 'cleaned_images', '10@P10_L_CC.png'));
  const cRoi = (await stage2Image('jpeg8', jpgFile, { method: 'otsu' })).roi;
  t.same(Array.from(cPng.data), expectedCrop(Array.from(ref.pixels), cRoi.box, ref.columns), 'CDD-CESM: trunc(255 · percentile_min_max(uint8 crop))');

  // Without a YOLOX model and without --roi otsu, stage 2 stops with a clear message.
  err = '';
  t.equal(await main(['prepare', 'classification-dataset', '--settings', settings, '--datasets', 'cddcesm', '--stage', '2'], io), 1);
  t.match(err, /YOLOX ROI model not found.*--roi otsu/);
});
