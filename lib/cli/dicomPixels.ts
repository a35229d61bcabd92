/**
 * What the `roi` and `preprocess` commands need from one DICOM file: frame 0 as the original's int16
 * array (ALGORITHMS.md §1.2.3), its size, the MONOCHROME1 flag and the window tags (§1.3).
 */
import { RsnaMammoError } from '../errors';
import { closeWasmPool, decodeFrame, readDicom, toOriginalInt16 } from '../dicom';
import type { WindowMeta } from '../preprocess';

export interface DicomPixels {
  file: string;
  raw: Int16Array;
  rows: number;
  cols: number;
  invert: boolean;
  meta: WindowMeta;
}

/** Reads and decodes frame 0 of `file`; single-sample (grayscale) images only. */
export async function readDicomPixels(file: string): Promise<DicomPixels> {
  const image = await readDicom(file);
  if (image.samplesPerPixel !== 1) {
    throw new RsnaMammoError('ERR_DICOM_UNSUPPORTED', `expected a grayscale image, got ${image.samplesPerPixel} samples per pixel`, { file });
  }
  try {
    const frame = await decodeFrame(image, 0);
    const invert = image.photometricInterpretation === 'MONOCHROME1';
    return {
      file,
      raw: toOriginalInt16(frame),
      rows: image.rows,
      cols: image.columns,
      invert,
      meta: { windowCenter: image.windowCenter, windowWidth: image.windowWidth, voiLutFunction: image.voiLutFunction, invert },
    };
  } finally {
    await closeWasmPool();
  }
}
