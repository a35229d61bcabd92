/**
 * Decodes one competition DICOM to the YOLOX training image of ALGORITHMS.md §7.8.2 (dicomsdl native
 * dtype, min-max, invert 1 − r if MONOCHROME1, ×255, truncate) with lib/dicom.
 */
import { decodeFrame, readDicom } from '../../dicom';
import { GrayImage } from '../imageFiles';
import { RsnaMammoError } from '../../errors';
import { minMaxUint8 } from './minMaxUint8';

/** @throws RsnaMammoError when the file is not single-sample or cannot be decoded */
export async function decodeDicomMinMax(file: string): Promise<GrayImage> {
  const image = await readDicom(file);
  if (image.samplesPerPixel !== 1) throw new RsnaMammoError('ERR_DICOM_SAMPLES', `SamplesPerPixel is ${image.samplesPerPixel}, expected 1`, { file });
  const frame = await decodeFrame(image, 0);
  return { width: frame.columns, height: frame.rows, data: minMaxUint8(frame.pixels, image.photometricInterpretation === 'MONOCHROME1') };
}
