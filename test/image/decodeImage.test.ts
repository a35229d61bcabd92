/**
 * lib/image decodeImage: the one DICOM → MammoImage step of predict, the CLI and dataset preparation.
 * References are the values written into synthetic files (numpy astype(int16) wrap of uint16 computed
 * here independently) and the header facts of ../shared/data/dicom/MANIFEST.json.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import t from 'tap';
import { decodeImage } from '../../lib/image';
import { needsShared, sharedPath } from '../helpers/shared';
import { writeSyntheticDicom } from '../helpers/dicomWriter';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-image-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('uint16 MONOCHROME1 with window tags: int16 wrap, size, invert, window, meta', async (t) => {
  const rows = 3;
  const columns = 4;
  const data = Uint16Array.from([0, 1, 2, 40000, 65535, 32767, 32768, 7, 8, 9, 10, 11]);
  const file = path.join(dir, 'mono1.dcm');
  writeSyntheticDicom(file, {
    SOPInstanceUID: '1.2.3', PhotometricInterpretation: 'MONOCHROME1', WindowCenter: ['100', '200'], WindowWidth: ['50', '60'],
    VOILUTFunction: 'SIGMOID', PatientID: '42', ImageLaterality: 'L', ViewPosition: 'CC',
  }, { rows, columns, data });
  const img = await decodeImage(file);
  t.equal(img.height, rows);
  t.equal(img.width, columns);
  t.ok(img.pixels instanceof Int16Array);
  // numpy: np.array([...], np.uint16).astype(np.int16) wraps modulo 2^16.
  t.same(Array.from(img.pixels), Array.from(data, (v) => (v >= 32768 ? v - 65536 : v)));
  t.same(Array.from(img.stored), Array.from(data), 'stored values kept in their own type');
  t.equal(img.invert, true);
  t.same(img.window, { windowCenter: [100, 200], windowWidth: [50, 60], voiLutFunction: 'SIGMOID', invert: true });
  t.same(img.meta, { photometricInterpretation: 'MONOCHROME1', patientId: '42', laterality: 'L', viewPosition: 'CC' });
  t.equal(img.file, file);
});

t.test('bytes source: named by key; MONOCHROME2 without window tags', async (t) => {
  const file = path.join(dir, 'mono2.dcm');
  writeSyntheticDicom(file, { SOPInstanceUID: '1.2.4', PhotometricInterpretation: 'MONOCHROME2' },
    { rows: 2, columns: 2, data: Uint16Array.from([5, 6, 7, 8]) });
  const img = await decodeImage(fs.readFileSync(file), { key: 'mem-1' });
  t.equal(img.file, 'mem-1');
  t.equal(img.invert, false);
  t.same(img.window, { windowCenter: [], windowWidth: [], voiLutFunction: undefined, invert: false });
  t.same(Array.from(img.pixels), [5, 6, 7, 8]);
});

const rgb = 'data/dicom/pydicom-data/HTJ2KLossless_08_RGB.dcm';
t.test('SamplesPerPixel 3 is ERR_NOT_GREYSCALE naming the file (one code for every caller)', needsShared(rgb), async (t) => {
  const file = sharedPath(rgb)!;
  await t.rejects(decodeImage(file), { code: 'ERR_NOT_GREYSCALE', message: new RegExp(`${path.basename(file)}.*SamplesPerPixel is 3`) });
});

const rsna = 'data/dicom/rsna-kaggle';
t.test('real RSNA image: header facts equal the manifest', needsShared(`${rsna}/test_images`), async (t) => {
  const manifest = JSON.parse(fs.readFileSync(sharedPath('data/dicom/MANIFEST.json')!, 'utf8')) as Array<Record<string, unknown>>;
  const entry = manifest.find((e) => String(e.file).startsWith('rsna-kaggle/test_images/'))!;
  const img = await decodeImage(sharedPath(`data/dicom/${entry.file}`)!);
  t.equal(img.height, entry.rows);
  t.equal(img.width, entry.columns);
  t.equal(img.invert, entry.photometric_interpretation === 'MONOCHROME1');
  t.equal(img.pixels.length, img.height * img.width);
});
