/**
 * `cv2.imread(path, cv2.IMREAD_ANYDEPTH)` of an 8-bit JPEG (CDD-CESM, ALGORITHMS.md §7.7.3): a
 * single-channel image. Grayscale baseline JPEGs are decoded by the addon's IJG libjpeg (islow IDCT,
 * as OpenCV's libjpeg); other JPEGs (colour, or no native codec) by jpeg-js with OpenCV's
 * BGR→gray weights — close to, not bit-identical with, OpenCV's own luminance decode.
 */
import fs from 'fs';
import jpeg from 'jpeg-js';
import { readSof } from '../../dicom/codestream';
import { dicomAddon, nativeCodecs } from '../../dicom/addon';
import { GrayImage } from '../imageFiles';
import { RsnaMammoError } from '../../errors';

/** Decodes a JPEG file to 8-bit gray. */
export async function readJpegGray(file: string): Promise<GrayImage> {
  const bytes = fs.readFileSync(file);
  const sof = readSof(bytes);
  if (!sof) throw new RsnaMammoError('ERR_JPEG_READ', 'not a JPEG file (no SOF marker)', { file });
  if (sof.precision !== 8) throw new RsnaMammoError('ERR_IMAGE_DEPTH', `expected an 8-bit JPEG (the original asserts uint8), got ${sof.precision}-bit`, { file });
  try {
    if (sof.components === 1 && nativeCodecs().has('gdcm-jpeg')) {
      const out = await dicomAddon().dicomDecodeFrame('gdcm-jpeg', bytes, {
        rows: sof.rows, columns: sof.columns, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, isSigned: false, threads: 0,
      });
      return { width: sof.columns, height: sof.rows, data: new Uint8Array(out.pixels) };
    }
    const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 4096 });
    const gray = new Uint8Array(d.width * d.height);
    for (let i = 0; i < gray.length; i++) {
      // OpenCV RGB→gray: (R·4899 + G·9617 + B·1868 + 2^13) >> 14
      gray[i] = (d.data[i * 4] * 4899 + d.data[i * 4 + 1] * 9617 + d.data[i * 4 + 2] * 1868 + 8192) >> 14;
    }
    return { width: d.width, height: d.height, data: gray };
  } catch (err) {
    if (err instanceof RsnaMammoError) throw err;
    throw new RsnaMammoError('ERR_JPEG_READ', `cannot decode JPEG: ${(err as Error).message}`, { file, cause: err });
  }
}
