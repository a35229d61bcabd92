/**
 * `standard` display rendering (DICOM PS3.3 C.11, what DCMTK dcm2pnm shows): modality LUT or
 * rescale → VOI LUT or window (LINEAR, LINEAR_EXACT, SIGMOID; C.11.2.1.2-3) → presentation (MONOCHROME1
 * or Presentation LUT Shape INVERSE shown inverted) → 8 bits, truncated. Frames with integer stored
 * values are mapped through a per-value table, so the cost is one lookup per pixel.
 */
import { RsnaMammoError, invalidArgument } from '../errors';
import type { DecodedFrame, DicomImage, Lut } from './types';

/** Which VOI transform to use; default: first VOI LUT, else first window, else the frame's range. */
export interface StandardRenderOptions {
  windowIndex?: number;
  voiLutIndex?: number;
}

function lutLookup(lut: Lut, x: number): number {
  const i = Math.round(x) - lut.firstValueMapped;
  return lut.data[i < 0 ? 0 : i >= lut.data.length ? lut.data.length - 1 : i];
}

/** Output bits of a LUT: the descriptor's, unless every entry fits 8 bits (a common 16-bit mislabel DCMTK also tolerates). */
function lutBits(lut: Lut): number {
  let max = 0;
  for (const v of lut.data) if (v > max) max = v;
  return lut.bitsPerEntry > 8 && max < 256 ? 8 : Math.max(1, Math.min(16, lut.bitsPerEntry));
}

function windowFunction(image: DicomImage, center: number, width: number): (x: number) => number {
  const fn = (image.voiLutFunction ?? 'LINEAR').trim().toUpperCase();
  if (fn === 'SIGMOID') return (x) => 1 / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === 'LINEAR_EXACT') {
    return (x) => (x <= center - width / 2 ? 0 : x > center + width / 2 ? 1 : (x - center) / width + 0.5);
  }
  const w = Math.max(width, 1); // PS3.3 C.11.2.1.2.1: LINEAR needs width ≥ 1
  return (x) => (x <= center - 0.5 - (w - 1) / 2 ? 0 : x > center - 0.5 + (w - 1) / 2 ? 1 : (x - (center - 0.5)) / (w - 1) + 0.5);
}

function frameRange(pixels: ArrayLike<number>): [number, number] {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/**
 * Renders a monochrome frame to 8-bit grey levels the way a DICOM viewer does.
 * @param frame a decoded frame (SamplesPerPixel 1)
 * @param image its header
 * @param options which window or VOI LUT (0-based); see StandardRenderOptions
 * @returns rows×columns grey levels
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT for an index the file does not have
 */
export function renderStandard(frame: DecodedFrame, image: DicomImage, options: StandardRenderOptions = {}): Uint8Array {
  if (frame.samplesPerPixel !== 1) throw new RsnaMammoError('ERR_RENDER', 'standard rendering is for monochrome frames', { file: image.file });
  const slope = image.rescaleSlope ?? 1;
  const intercept = image.rescaleIntercept ?? 0;
  const modality = image.modalityLut ? (x: number) => lutLookup(image.modalityLut!, x) : (x: number) => x * slope + intercept;
  const [min, max] = frameRange(frame.pixels);
  let voi: (m: number) => number;
  if (options.voiLutIndex !== undefined || (options.windowIndex === undefined && image.voiLuts.length)) {
    const index = options.voiLutIndex ?? 0;
    const lut = image.voiLuts[index];
    if (!lut) throw invalidArgument('voiLutIndex', `an index below ${image.voiLuts.length} (VOI LUTs in the file)`, index);
    const top = 2 ** lutBits(lut) - 1;
    voi = (m) => lutLookup(lut, m) / top;
  } else if (options.windowIndex !== undefined || image.windowCenter.length) {
    const index = options.windowIndex ?? 0;
    const n = Math.min(image.windowCenter.length, image.windowWidth.length);
    if (!Number.isInteger(index) || index < 0 || index >= n) throw invalidArgument('windowIndex', `an index below ${n} (windows in the file)`, index);
    voi = windowFunction(image, image.windowCenter[index], image.windowWidth[index]);
  } else {
    const lo = Math.min(modality(min), modality(max)), hi = Math.max(modality(min), modality(max));
    voi = (m) => (hi > lo ? (m - lo) / (hi - lo) : 0);
  }
  const shape = (image.presentationLutShape ?? '').trim().toUpperCase();
  const invert = image.photometricInterpretation.trim() === 'MONOCHROME1' || shape === 'INVERSE';
  const grey = (x: number): number => {
    let y = voi(modality(x));
    if (invert) y = 1 - y;
    const g = Math.floor(y * 255);
    return g < 0 ? 0 : g > 255 ? 255 : g;
  };
  const out = new Uint8Array(frame.pixels.length);
  const span = max - min;
  if (Number.isFinite(span) && span <= 1 << 20) {
    const table = new Uint8Array(span + 1);
    for (let v = 0; v <= span; v++) table[v] = grey(min + v);
    const px = frame.pixels;
    for (let i = 0; i < px.length; i++) out[i] = table[px[i] - min];
  } else {
    for (let i = 0; i < frame.pixels.length; i++) out[i] = grey(frame.pixels[i]);
  }
  return out;
}
