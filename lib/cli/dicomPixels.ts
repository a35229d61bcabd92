/**
 * What the `roi` and `preprocess` commands need from one DICOM file: lib/image's decodeImage, with the
 * WASM decode pool closed afterwards (a one-shot command must not keep worker threads alive).
 */
import { closeWasmPool } from '../dicom';
import { decodeImage } from '../image';
import type { MammoImage } from '../image';

/** Reads and decodes frame 0 of `file`; single-sample (grayscale) images only. */
export async function readDicomPixels(file: string): Promise<MammoImage> {
  try {
    return await decodeImage(file);
  } finally {
    await closeWasmPool();
  }
}
