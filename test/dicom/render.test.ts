// `standard` renders match DCMTK's dcm2pnm renderings in MANIFEST.json (display_reference) within
// ±1 grey level, judged by SHA-256 when identical, else by the cumulative histograms (a ±1
// difference per pixel bounds them) plus min/max/mean. `original` renders of the RSNA files follow
// ALGORITHMS.md §1.4-§1.7 computed here at float64 from the stored values, then truncated.
import crypto from 'crypto';
import t from 'tap';
import { closeWasmPool, decodeFrame, readDicom, renderFrame, renderStandard, toOriginalInt16 } from '../../lib/dicom';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, histogram256, histogramsWithinOne, DICOM_DIR } from '../helpers/dicomManifest';

t.teardown(closeWasmPool);

t.test('renderFrame renders large frames on a worker thread, same result', needsShared(`${DICOM_DIR}/rsna-kaggle`), async (t) => {
  const entry = dicomManifest().find((e) => e.file === 'rsna-kaggle/train_images/10006/462822612.dcm')!;
  const image = await readDicom(dicomFile(entry));
  const frame = await decodeFrame(image);
  const out = await renderFrame(image, frame, { mode: 'standard', windowIndex: 2 });
  t.same([out.rows, out.columns, out.channels], [entry.rows, entry.columns, 1]);
  t.equal(crypto.createHash('sha256').update(out.pixels).digest('hex'), entry.display_reference!.renders[2].sha256_8bit, 'SIGMOID window 3 = dcm2pnm +Wi 3');
  await t.rejects(renderFrame(image, frame, { mode: 'standard', windowIndex: 9 }), { code: 'ERR_INVALID_ARGUMENT' }, 'a window the file lacks: typed error from the worker');
});

t.test('standard renders match the DCMTK renderings within ±1', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  let renders = 0, identical = 0;
  for (const entry of dicomManifest()) {
    const refs = entry.display_reference?.renders ?? [];
    if (!refs.length) continue;
    const image = await readDicom(dicomFile(entry));
    const frame = await decodeFrame(image);
    for (const ref of refs) {
      const [kind, n] = ref.voi.split(' ');
      const index = Number(n) - 1;
      const out = renderStandard(frame, image, kind === 'window' ? { windowIndex: index } : { voiLutIndex: index });
      const sha = crypto.createHash('sha256').update(out).digest('hex');
      renders++;
      if (sha === ref.sha256_8bit) {
        identical++;
        t.pass(`${entry.file} ${ref.voi}: identical to DCMTK`);
        continue;
      }
      let min = 255, max = 0, sum = 0;
      for (const v of out) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
      t.ok(histogramsWithinOne(histogram256(out), ref.histogram256), `${entry.file} ${ref.voi}: histogram within ±1 of DCMTK`);
      t.ok(Math.abs(min - ref.min) <= 1 && Math.abs(max - ref.max) <= 1, `${entry.file} ${ref.voi}: min/max within ±1`);
      t.ok(Math.abs(sum / out.length - ref.mean) <= 1, `${entry.file} ${ref.voi}: mean within 1 (${(sum / out.length).toFixed(3)} vs ${ref.mean.toFixed(3)})`);
    }
  }
  t.ok(renders >= 66, `${renders} DCMTK renderings compared`);
  t.comment(`${identical} of ${renders} renders bit-identical to DCMTK; the rest within ±1`);
});

/** ALGORITHMS.md §1.4.1/§1.4.3 + §1.7 at float64, from the int16-cast stored values (§1.2.3). */
function originalByFormula(x: Int16Array, wc: number, ww: number, fn: string, invert: boolean): Uint8Array {
  const out = new Uint8Array(x.length);
  const s = 255 / (ww - 1), b = (-(wc - 0.5) / (ww - 1) + 0.5) * 255;
  for (let i = 0; i < x.length; i++) {
    let y = fn === 'SIGMOID' ? 255 / (1 + Math.exp((x[i] - wc) * (-4 / ww))) : Math.min(255, Math.max(0, x[i] * s + b));
    if (invert) y = 255 - y;
    out[i] = Math.trunc(y);
  }
  return out;
}

t.test('original renders of the RSNA files follow ALGORITHMS.md §1.4-§1.7', needsShared(`${DICOM_DIR}/rsna-kaggle`), async (t) => {
  for (const entry of dicomManifest().filter((e) => e.file.startsWith('rsna-kaggle/'))) {
    const image = await readDicom(dicomFile(entry));
    const frame = await decodeFrame(image);
    const fn = (image.voiLutFunction ?? 'LINEAR').toUpperCase();
    const expected = originalByFormula(toOriginalInt16(frame), image.windowCenter[0], image.windowWidth[0], fn, image.photometricInterpretation === 'MONOCHROME1');
    const got = (await renderFrame(image, frame, { mode: 'original' })).pixels;
    let diff = 0, maxDiff = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - expected[i]);
      if (d) diff++;
      maxDiff = Math.max(maxDiff, d);
    }
    t.equal(diff, 0, `${entry.file} (${fn}${image.photometricInterpretation === 'MONOCHROME1' ? ', inverted' : ''}): ${diff} of ${got.length} pixels differ from the float64 formula (max ${maxDiff})`);
  }
});
