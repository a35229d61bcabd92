/**
 * renderFrame: a decoded frame → 8-bit image, in one of two named modes:
 * - `standard`: DICOM display semantics (lib/dicom/standardRender.ts, PS3.3 C.11).
 * - `original`: parity with the winning pipeline (ALGORITHMS.md §1.2.3 int16 cast, §1.4 windowing,
 *   §1.5 min-max, §1.7 inversion and truncation): lib/preprocess windowToUint8 (its native kernel, off
 *   the JS thread).
 * Colour frames are passed through, scaled to 8 bits.
 */
import { fromNativeError, invalidArgument } from '../errors';
import { windowToUint8 } from '../preprocess';
import type { RenderFacts } from './wasm/protocol';
import { toOriginalInt16 } from './decode';
import { renderStandard } from './standardRender';
import { wasmPool } from './wasm/pool';
import type { DecodedFrame, DicomImage } from './types';

export type RenderMode = 'original' | 'standard';

/** Frames below this many samples render inline; larger ones on a worker thread. */
const STANDARD_INLINE_PIXELS = 1 << 20;

export interface RenderOptions {
  mode?: RenderMode;
  /** 0-based window (WindowCenter/Width value) to use; `original` defaults to 0 like the pipeline. */
  windowIndex?: number;
  /** 0-based VOI LUT Sequence item (`standard` only). */
  voiLutIndex?: number;
}

/** An 8-bit image, rows×columns×channels. */
export interface RenderedImage {
  pixels: Uint8Array;
  rows: number;
  columns: number;
  channels: 1 | 3;
}

function colourTo8Bit(frame: DecodedFrame, image: DicomImage): Uint8Array {
  const shift = Math.max(0, image.bitsStored - 8);
  const out = new Uint8Array(frame.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, frame.pixels[i] >> shift));
  return out;
}

/**
 * Renders one decoded frame to 8 bits.
 * @param image the frame's DicomImage
 * @param frame from decodeFrame
 * @param options mode (default 'standard'), windowIndex, voiLutIndex
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT (bad mode or index), ERR_WINDOW (window width ≤ 0 in original mode)
 */
export async function renderFrame(image: DicomImage, frame: DecodedFrame, options: RenderOptions = {}): Promise<RenderedImage> {
  const mode = options.mode ?? 'standard';
  if (mode !== 'original' && mode !== 'standard') throw invalidArgument('options.mode', "'original' or 'standard'", mode);
  const base = { rows: frame.rows, columns: frame.columns };
  if (frame.samplesPerPixel === 3) return { ...base, channels: 3, pixels: colourTo8Bit(frame, image) };
  if (mode === 'standard') {
    const opts = { windowIndex: options.windowIndex, voiLutIndex: options.voiLutIndex };
    if (frame.pixels.length < STANDARD_INLINE_PIXELS) return { ...base, channels: 1, pixels: renderStandard(frame, image, opts) };
    // Large frames render on a worker thread, so the event loop keeps running.
    const facts: RenderFacts = {
      file: image.file, photometricInterpretation: image.photometricInterpretation, presentationLutShape: image.presentationLutShape,
      rescaleSlope: image.rescaleSlope, rescaleIntercept: image.rescaleIntercept, modalityLut: image.modalityLut, voiLuts: image.voiLuts,
      windowCenter: image.windowCenter, windowWidth: image.windowWidth, voiLutFunction: image.voiLutFunction,
    };
    try {
      return { ...base, channels: 1, pixels: await wasmPool().render(frame, facts, opts) };
    } catch (err) {
      throw fromNativeError(err, image.file);
    }
  }
  const pixels = await windowToUint8(toOriginalInt16(frame), frame.rows, frame.columns, { mode: 'original', windowIndex: options.windowIndex, image });
  return { ...base, channels: 1, pixels };
}
