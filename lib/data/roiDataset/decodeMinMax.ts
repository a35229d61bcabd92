/**
 * Decodes one competition DICOM to the YOLOX training image of ALGORITHMS.md §7.8.2 (dicomsdl native
 * dtype, min-max, invert 1 − r if MONOCHROME1, ×255, truncate) with lib/image.
 */
import { decodeImage } from '../../image';
import { GrayImage } from '../imageFiles';
import { minMaxUint8 } from './minMaxUint8';

/** @throws RsnaMammoError when the file is not single-sample or cannot be decoded */
export async function decodeDicomMinMax(file: string): Promise<GrayImage> {
  const image = await decodeImage(file);
  return { width: image.width, height: image.height, data: minMaxUint8(image.stored, image.invert) };
}
