/**
 * Locates one frame's bytes in the pixel data: native frames by offset, encapsulated frames from
 * their fragments via the Basic Offset Table (PS3.5 A.4), never by searching bytes (unlike the
 * original's §1.1.2 shortcut, which only ever needed frame 0 of single-fragment files).
 */
import { RsnaMammoError } from '../errors';
import type { DicomImage, PixelDataLocation } from './types';

function fail(code: string, message: string, image: DicomImage): never {
  throw new RsnaMammoError(code, message, { file: image.file });
}

/** Bytes of one native (uncompressed) frame. */
export function nativeFrameBytes(image: DicomImage, pd: PixelDataLocation, frame: number): Uint8Array {
  const frameBytes = image.rows * image.columns * image.samplesPerPixel * (image.bitsAllocated / 8);
  const start = pd.offset + frame * frameBytes;
  if (!Number.isSafeInteger(start + frameBytes) || start + frameBytes > pd.offset + pd.length || start + frameBytes > pd.bytes.length) {
    fail('ERR_DICOM_TRUNCATED', `pixel data hold ${pd.length} bytes, frame ${frame} needs bytes ${start - pd.offset}..${start - pd.offset + frameBytes}`, image);
  }
  return pd.bytes.subarray(start, start + frameBytes);
}

// First bytes that start a codestream: JPEG SOI (incl. JPEG-LS), J2K SOC, JP2 signature box.
function startsCodestream(b: Uint8Array, p: number): boolean {
  if (b[p] === 0xff && (b[p + 1] === 0xd8 || b[p + 1] === 0x4f)) return true;
  return b[p] === 0 && b[p + 1] === 0 && b[p + 2] === 0 && b[p + 3] === 0x0c && b[p + 4] === 0x6a && b[p + 5] === 0x50;
}

/** Fragment index ranges [first, end) of every frame. */
function frameFragmentRanges(image: DicomImage, pd: PixelDataLocation): [number, number][] {
  const fragments = pd.fragments ?? [];
  const frames = image.numberOfFrames;
  const bot = pd.basicOffsetTable ?? [];
  if (bot.length === frames && bot[0] === 0) {
    // Offsets are relative to the first fragment's item tag; each must start a fragment.
    const starts: number[] = [];
    let offset = 0;
    const byOffset = new Map<number, number>();
    fragments.forEach((f, i) => {
      byOffset.set(offset, i);
      offset += f.length + 8;
    });
    for (const o of bot) {
      const i = byOffset.get(o);
      if (i === undefined || (starts.length && i <= starts[starts.length - 1])) break;
      starts.push(i);
    }
    if (starts.length === frames) return starts.map((s, k) => [s, k + 1 < frames ? starts[k + 1] : fragments.length]);
  }
  if (frames === 1) return [[0, fragments.length]];
  if (fragments.length === frames) return fragments.map((_, i) => [i, i + 1]);
  const starts = fragments.map((f, i) => (startsCodestream(pd.bytes, f.position) ? i : -1)).filter((i) => i >= 0);
  if (starts.length === frames && starts[0] === 0) return starts.map((s, k) => [s, k + 1 < frames ? starts[k + 1] : fragments.length]);
  return fail('ERR_DICOM_FRAMES', `cannot assign ${fragments.length} fragments to ${frames} frames (no usable Basic Offset Table)`, image);
}

/** The complete codestream of one encapsulated frame (its fragments joined). */
export function encapsulatedFrameBytes(image: DicomImage, pd: PixelDataLocation, frame: number): Uint8Array {
  const fragments = pd.fragments ?? [];
  if (fragments.length === 0) fail('ERR_DICOM_NO_PIXEL_DATA', 'the encapsulated pixel data have no fragments', image);
  for (const f of fragments) {
    if (f.position + f.length > pd.bytes.length) fail('ERR_DICOM_TRUNCATED', 'a pixel data fragment runs past the end of the file', image);
  }
  const [first, end] = frameFragmentRanges(image, pd)[frame];
  if (end - first === 1) return pd.bytes.subarray(fragments[first].position, fragments[first].position + fragments[first].length);
  const parts = fragments.slice(first, end).map((f) => pd.bytes.subarray(f.position, f.position + f.length));
  return Buffer.concat(parts);
}
