/** frameSha256: the MANIFEST.json `frame0_sha256` rule (canonical stored values, little endian). */
import crypto from 'crypto';
import os from 'os';
import { canonicalize } from './canonical';
import type { DecodedFrame, DicomImage } from './types';

/**
 * SHA-256 (hex) of a frame's stored values in the natural dtype of `image`, little endian.
 * @param frame a frame from decodeFrame
 * @param image the image it came from (its BitsAllocated/BitsStored/PixelRepresentation rule the dtype)
 */
export function frameSha256(frame: DecodedFrame, image: DicomImage): string {
  let pixels = frame.pixels;
  const bytesPerSample = image.bitsAllocated / 8;
  const signed = pixels instanceof Int8Array || pixels instanceof Int16Array || pixels instanceof Int32Array;
  if (pixels.BYTES_PER_ELEMENT !== bytesPerSample || signed !== (image.pixelRepresentation === 1)) {
    pixels = canonicalize(pixels, image);
  }
  let bytes = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  if (os.endianness() === 'BE' && bytesPerSample > 1) {
    bytes = Buffer.from(bytes);
    if (bytesPerSample === 2) bytes.swap16();
    else bytes.swap32();
  }
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
