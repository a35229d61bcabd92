// parseDicom reads the header facts MANIFEST.json lists (made by pydicom/DCMTK), handles empty
// elements and LUT sequences, and turns bad input into typed errors naming the file.
import fs from 'fs';
import path from 'path';
import t from 'tap';
import { decodeFrame, parseDicom, readDicom } from '../../lib/dicom';
import type { DicomImage } from '../../lib/dicom';
import { RsnaMammoError } from '../../lib/errors';
import { needsShared, sharedPath } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dicom');

t.test('header facts match the manifest for every shared file', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  for (const e of dicomManifest() as unknown as Record<string, unknown>[]) {
    const image = await readDicom(dicomFile(e as never));
    const f = e.file as string;
    t.same(
      {
        transferSyntaxUID: image.transferSyntaxUID, rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel,
        bitsAllocated: image.bitsAllocated, bitsStored: image.bitsStored, highBit: image.highBit, pixelRepresentation: image.pixelRepresentation,
        photometricInterpretation: image.photometricInterpretation, numberOfFrames: image.numberOfFrames,
      },
      {
        transferSyntaxUID: e.transfer_syntax_uid, rows: e.rows, columns: e.columns, samplesPerPixel: e.samples_per_pixel,
        bitsAllocated: e.bits_allocated, bitsStored: e.bits_stored, highBit: e.high_bit, pixelRepresentation: e.pixel_representation,
        photometricInterpretation: e.photometric_interpretation, numberOfFrames: e.number_of_frames ?? 1,
      },
      `${f}: image pixel facts`,
    );
    const wc = (e.window_center as number[] | null) ?? [];
    const ww = (e.window_width as number[] | null) ?? [];
    t.same({ c: image.windowCenter, w: image.windowWidth }, wc.length && ww.length ? { c: wc, w: ww } : { c: [], w: [] }, `${f}: every window`);
    t.equal(image.voiLutFunction ?? null, e.voi_lut_function ?? null, `${f}: VOILUTFunction`);
    t.equal(image.rescaleSlope ?? null, e.rescale_slope ?? null, `${f}: RescaleSlope`);
    t.equal(image.rescaleIntercept ?? null, e.rescale_intercept ?? null, `${f}: RescaleIntercept`);
    t.equal(image.pixelPaddingValue ?? null, e.pixel_padding_value ?? null, `${f}: PixelPaddingValue`);
    const voi = ((e.voi_lut_sequence as { lut_data_length: number }[] | null) ?? []).filter((l) => l.lut_data_length > 0);
    t.equal(image.voiLuts.length, voi.length, `${f}: VOI LUTs with data (empty items ignored)`);
    const mlut = e.modality_lut as { lut_descriptor: number[] | null } | null;
    if (mlut?.lut_descriptor) {
      t.same([image.modalityLut?.data.length, image.modalityLut?.firstValueMapped, image.modalityLut?.bitsPerEntry], mlut.lut_descriptor, `${f}: Modality LUT descriptor`);
    } else {
      t.equal(image.modalityLut, undefined, `${f}: no usable Modality LUT`);
    }
    const attrs = image.attributes();
    t.equal(attrs.Rows, e.rows, `${f}: attributes().Rows`);
    t.equal(attrs.TransferSyntaxUID, e.transfer_syntax_uid, `${f}: attributes().TransferSyntaxUID`);
  }
});

t.test('RSNA metadata used by the pipeline (ALGORITHMS.md §1.3)', needsShared(`${DICOM_DIR}/rsna-kaggle`), async (t) => {
  const image = await readDicom(sharedPath(`${DICOM_DIR}/rsna-kaggle/train_images/10006/462822612.dcm`)!);
  t.same(image.windowCenter, [1802.31, 1802.31, 2020.704, 1583.916], 'all four window centers');
  t.equal(image.voiLutFunction, 'SIGMOID');
  t.equal(image.photometricInterpretation, 'MONOCHROME1');
  t.equal(image.patientId, '10006');
  t.ok(image.imageLaterality === 'L' || image.imageLaterality === 'R', 'ImageLaterality read');
  const attrs = image.attributes();
  t.same(attrs.WindowCenter, [1802.31, 1802.31, 2020.704, 1583.916], 'attributes() keeps multi-valued DS as number[]');
  t.equal(attrs.PatientID, '10006');
});

t.test('fixtures parse without ../shared', async (t) => {
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  for (const [name, e] of Object.entries(expected)) {
    const image = await readDicom(path.join(FIXTURES, name));
    t.same([image.transferSyntaxUID, image.rows, image.columns, image.bitsStored, image.pixelRepresentation], [e.transfer_syntax_uid, e.rows, e.columns, e.bits_stored, e.pixel_representation], name);
  }
});

t.test('bad input becomes a typed error naming the file', async (t) => {
  const good = fs.readFileSync(path.join(FIXTURES, 'MR_small_RLE.dcm'));
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      t.ok(err instanceof RsnaMammoError, 'an RsnaMammoError');
      t.match((err as Error).message, /^x\.dcm: /, 'message names the file');
      return (err as RsnaMammoError).code;
    }
  };
  t.equal(code(() => parseDicom(Buffer.from('hello, not a DICOM file at all'), 'x.dcm')), 'ERR_DICOM_NOT_DICOM');
  t.equal(code(() => parseDicom(Buffer.alloc(0), 'x.dcm')), 'ERR_DICOM_NOT_DICOM');
  t.equal(code(() => parseDicom(good.subarray(0, 1000), 'x.dcm')), 'ERR_DICOM_TRUNCATED');
  await t.rejects(readDicom('/nonexistent/x.dcm'), { code: 'ERR_DICOM_READ' });
  t.throws(() => parseDicom('x' as unknown as Uint8Array), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('decodeFrame refuses what it cannot or must not decode', async (t) => {
  const bytes = fs.readFileSync(path.join(FIXTURES, 'MR_small_RLE.dcm'));
  const image = parseDicom(bytes, 'x.dcm');
  const variant = (patch: Partial<DicomImage>): DicomImage => Object.assign(Object.create(image) as DicomImage, patch);
  // The file cut just before its PixelData element: a header without pixels.
  const pixelTag = bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const headerOnly = parseDicom(bytes.subarray(0, pixelTag), 'x.dcm');
  t.equal(headerOnly.pixelData, undefined, 'no pixel data located');
  await t.rejects(decodeFrame(headerOnly), { code: 'ERR_DICOM_NO_PIXEL_DATA' });
  await t.rejects(decodeFrame(variant({ rows: 65535, columns: 65535 })), { code: 'ERR_DICOM_TOO_LARGE' }, 'absurd Rows x Columns refused before allocating');
  await t.rejects(decodeFrame(variant({ transferSyntaxUID: '1.2.840.10008.1.2.4.100' })), { code: 'ERR_DICOM_UNSUPPORTED_SYNTAX' }, 'MPEG2 is not an image codec here');
  await t.rejects(decodeFrame(variant({ bitsAllocated: 1 })), { code: 'ERR_DICOM_UNSUPPORTED' });
  await t.rejects(decodeFrame(variant({ bitsStored: 17 })), { code: 'ERR_DICOM_HEADER' });
  await t.rejects(decodeFrame(image, 1), { code: 'ERR_INVALID_ARGUMENT' }, 'frame index past the last frame');
  await t.rejects(decodeFrame(variant({ rows: 65 })), { code: 'ERR_DICOM_DECODE' }, 'RLE segments shorter than the header claims');
  await t.rejects(decodeFrame(image, 0, { decoder: 'wasm' }), { code: 'ERR_DICOM_DECODER_UNAVAILABLE' }, 'no WASM RLE codec: said so');
});
