// windowToUint8 'standard' mode (DICOM PS3.3 rescale → window → MONOCHROME1 presentation, floor(y·255))
// against the DCMTK dcm2pnm renderings listed in ../shared/data/dicom/MANIFEST.json (display_reference):
// equal bytes, or — DCMTK differs from the exact formula by ±1 on up to 3.4 % of pixels (non-integer
// rescale slopes, MANIFEST pydicom_formula_vs_dcmtk) — the mean of the PS3.3 formula (pydicom's, listed
// there) within 1e-3 and at most 5 % of the pixels in other histogram bins.
import t from 'tap';
import crypto from 'crypto';
import { needsShared, sharedPath } from '../helpers/shared';
import { windowToUint8 } from '../../lib/preprocess';
import { closeWasmPool, decodeFrame, readDicom } from '../../lib/dicom';
import { readJson } from './helpers';

interface Render {
  voi: string; sha256_8bit: string; mean: number; histogram256: number[];
  pydicom_formula_vs_dcmtk?: { mean_pydicom_formula: number };
}
interface Entry { file: string; display_reference?: { renders?: Render[] } }

// A spread of cases: LINEAR with rescale (MR), MONOCHROME1 (RG3), RSNA LINEAR 12-bit, RSNA SIGMOID windows.
const files = ['nema-wg04/UNC/MR2_UNC.dcm', 'nema-wg04/UNC/MR4_UNC.dcm', 'nema-wg04/RLE/RG3_RLE.dcm',
  'rsna-kaggle/test_images/10008/736471439.dcm', 'rsna-kaggle/train_images/10006/462822612.dcm'];

t.test('standard display windowing matches DCMTK', needsShared('data/dicom/MANIFEST.json'), async (t) => {
  const manifest = readJson<Entry[]>('data/dicom/MANIFEST.json');
  for (const file of files) {
    const entry = manifest.find((e) => e.file === file);
    const renders = entry?.display_reference?.renders ?? [];
    if (!entry || renders.length === 0 || !sharedPath(`data/dicom/${file}`)) { t.comment(`${file}: no DCMTK render listed, skipped`); continue; }
    const image = await readDicom(sharedPath(`data/dicom/${file}`) as string);
    const frame = await decodeFrame(image, 0);
    for (const render of renders) {
      const m = /^window (\d+)$/.exec(render.voi);
      if (!m) continue;
      const u8 = await windowToUint8(frame.pixels as Int16Array | Uint16Array, frame.rows, frame.columns, {
        mode: 'standard', windowIndex: Number(m[1]) - 1, image,
      });
      const sha = crypto.createHash('sha256').update(u8).digest('hex');
      const hist = new Array<number>(256).fill(0);
      let sum = 0;
      for (const v of u8) { hist[v]++; sum += v; }
      let l1 = 0;
      for (let i = 0; i < 256; i++) l1 += Math.abs(hist[i] - render.histogram256[i]);
      const moved = l1 / 2;
      const formulaMean = render.pydicom_formula_vs_dcmtk?.mean_pydicom_formula ?? render.mean;
      const meanDiff = Math.abs(sum / u8.length - formulaMean);
      t.ok(sha === render.sha256_8bit || (moved <= u8.length * 0.05 && meanDiff <= 1e-3),
        `${file} ${render.voi}: ${sha === render.sha256_8bit ? 'identical to DCMTK' : `${moved} pixels in other bins than DCMTK, mean diff to the formula ${meanDiff.toExponential(2)}`}`);
    }
  }
});

t.teardown(() => closeWasmPool());
