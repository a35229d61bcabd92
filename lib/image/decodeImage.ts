/**
 * DICOM → {@link MammoImage}: read (or parse the bytes), decode frame 0, cast to int16 (ALGORITHMS.md
 * §1.2.3), window settings (§1.3). Predict, the CLI commands and dataset preparation all start here.
 */
import { RsnaMammoError } from '../errors';
import { decodeFrame, parseDicom, readDicom, toOriginalInt16 } from '../dicom';
import type { DecoderChoice } from '../dicom';
import type { MammoImage } from './types';
import { windowMetaOf } from './window';

/** A DICOM file: its path, or its bytes (Buffer / Uint8Array) when it never touched the disk. */
export type ImageSource = string | Uint8Array;

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** Name of a DICOM given as bytes (used in errors); default 'buffer'. */
  key?: string;
  decoder?: DecoderChoice;
}

function notGreyscale(samples: number, file: string): RsnaMammoError {
  // dicomsdl's reader of the original refuses colour images too (§1.2.3).
  return new RsnaMammoError('ERR_NOT_GREYSCALE', `SamplesPerPixel is ${samples}, expected 1`, { file });
}

/**
 * Reads and decodes frame 0 of a single-sample DICOM.
 * @throws RsnaMammoError ERR_NOT_GREYSCALE for SamplesPerPixel ≠ 1; lib/dicom's codes for unreadable files
 * @example const img = await decodeImage('1.dcm'); // img.pixels: Int16Array of img.height × img.width
 */
export async function decodeImage(source: ImageSource, options: DecodeImageOptions = {}): Promise<MammoImage> {
  const t0 = performance.now();
  const image = typeof source === 'string' ? await readDicom(source) : parseDicom(source, options.key ?? 'buffer');
  const file = image.file ?? (typeof source === 'string' ? source : options.key ?? 'buffer');
  if (image.samplesPerPixel !== 1) throw notGreyscale(image.samplesPerPixel, file);
  const t1 = performance.now();
  const frame = await decodeFrame(image, 0, { decoder: options.decoder });
  if (frame.samplesPerPixel !== 1) throw notGreyscale(frame.samplesPerPixel, file);
  const pixels = toOriginalInt16(frame);
  const t2 = performance.now();
  const window = windowMetaOf(image);
  return {
    file,
    pixels,
    stored: frame.pixels,
    height: frame.rows,
    width: frame.columns,
    invert: window.invert,
    window,
    decoder: frame.decoder,
    meta: {
      photometricInterpretation: image.photometricInterpretation,
      patientId: image.patientId,
      laterality: image.imageLaterality || image.laterality || undefined,
      viewPosition: image.viewPosition,
    },
    timings: { readMs: t1 - t0, decodeMs: t2 - t1 },
  };
}
