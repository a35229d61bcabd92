/**
 * renderFrame: a decoded frame → 8-bit image, in one of two named modes:
 * - `standard`: DICOM display semantics (lib/dicom/standardRender.ts, PS3.3 C.11).
 * - `original`: parity with the winning pipeline (PIPELINE.md §1.2.3 int16 cast, §1.4 windowing,
 *   §1.5 min-max, §1.7 inversion and truncation), delegated to lib/preprocess windowToUint8 (native
 *   kernel owned by the preprocess area).
 * Colour frames are passed through, scaled to 8 bits.
 */
import { RsnaMammoError, invalidArgument } from '../errors';
import { toOriginalInt16 } from './decode';
import { renderStandard } from './standardRender';
import type { DecodedFrame, DicomImage } from './types';

export type RenderMode = 'original' | 'standard';

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

type WindowToUint8 = (pixels: Int16Array | Uint16Array | Int32Array | Float32Array, rows: number, cols: number,
  params: { mode: 'original' | 'standard'; windowIndex?: number; image: DicomImage }) => Promise<Uint8Array>;

function preprocessWindow(file?: string): WindowToUint8 {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require('../preprocess') as { windowToUint8?: WindowToUint8 };
    if (typeof mod.windowToUint8 === 'function') return mod.windowToUint8;
  } catch {
    /* the preprocess area is not part of this build */
  }
  throw new RsnaMammoError('ERR_NOT_AVAILABLE', '`original` rendering needs lib/preprocess windowToUint8, which this build lacks; use --mode standard', { file });
}

/** Whether `original` rendering is available (lib/preprocess is present). */
export function originalRenderAvailable(): boolean {
  try {
    preprocessWindow();
    return true;
  } catch {
    return false;
  }
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
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT, ERR_NOT_AVAILABLE (original mode without lib/preprocess)
 */
export async function renderFrame(image: DicomImage, frame: DecodedFrame, options: RenderOptions = {}): Promise<RenderedImage> {
  const mode = options.mode ?? 'standard';
  if (mode !== 'original' && mode !== 'standard') throw invalidArgument('options.mode', "'original' or 'standard'", mode);
  const base = { rows: frame.rows, columns: frame.columns };
  if (frame.samplesPerPixel === 3) return { ...base, channels: 3, pixels: colourTo8Bit(frame, image) };
  if (mode === 'standard') {
    return { ...base, channels: 1, pixels: renderStandard(frame, image, { windowIndex: options.windowIndex, voiLutIndex: options.voiLutIndex }) };
  }
  const windowToUint8 = preprocessWindow(image.file);
  const pixels = await windowToUint8(toOriginalInt16(frame), frame.rows, frame.columns, { mode: 'original', windowIndex: options.windowIndex, image });
  return { ...base, channels: 1, pixels };
}
