/** Classifier inputs: crop → window → invert → resize (ALGORITHMS.md §2.8, §3.1, §3.2.3, §7.7.1). */
import { imgprocAddon } from './addon';
import { CLASSIFIER_INPUT } from './sizes';
import type { GreyPicture } from '../image/types';
import type { Box, WindowMeta } from './types';
import { checkBox, checkImage, checkSize, checkType, native, windowFromMeta } from './validate';

/**
 * The submission classifier input (§2.8 + §3.1): crop the raw int16 values to `box`, window with the
 * first window (§1.4, float32; min-max×255 of the crop when there are no window tags), invert if
 * MONOCHROME1, resize_and_pad to height x width (torch bilinear, centered, zero padding), truncate to uint8.
 * Single channel (the original writes three identical channels).
 * @param raw stored values cast to int16, rows x cols
 * @param rows image height
 * @param cols image width
 * @param box crop box (end-exclusive)
 * @param meta window tags and MONOCHROME1 flag
 * @param options height/width (2048 x 1024); fp16Windows: the DALI branch's float16 window values (§1.3.5, off)
 * @returns height x width uint8
 * @throws RsnaMammoError ERR_WINDOW (invalid window), ERR_EMPTY_RESIZE (crop too thin to resize)
 * @example const png = await classifierInput(raw, 2776, 2082, [0, 0, 1528, 2589], meta);
 */
export async function classifierInput(raw: Int16Array, rows: number, cols: number, box: Box, meta: WindowMeta,
  options: { height?: number; width?: number; fp16Windows?: boolean } = {}): Promise<Uint8Array> {
  return (await prepareInput(raw, rows, cols, box, meta, { ...options, previewWidth: 0 })).pixels;
}

/** The prepare stage's result: the classifier input and, when asked, its thumbnail. */
export interface PreparedInput {
  /** height × width uint8 (§3.1). */
  pixels: Uint8Array;
  preview?: GreyPicture;
}

/**
 * {@link classifierInput} and its report thumbnail in one native job (the pipeline's prepare stage).
 * @param options as classifierInput, plus previewWidth (0 / undefined = no thumbnail)
 */
export async function prepareInput(raw: Int16Array, rows: number, cols: number, box: Box, meta: WindowMeta,
  options: { height?: number; width?: number; fp16Windows?: boolean; previewWidth?: number } = {}): Promise<PreparedInput> {
  checkType(raw, 'raw', [Int16Array]);
  checkImage(raw, rows, cols, 'raw');
  checkBox(box, rows, cols);
  const height = checkSize(options.height, 'options.height', CLASSIFIER_INPUT.height);
  const width = checkSize(options.width, 'options.width', CLASSIFIER_INPUT.width);
  const window = windowFromMeta(meta, Boolean(options.fp16Windows));
  return native(() => imgprocAddon().imgprocPrepareInput(raw, rows, cols, [...box], window, Boolean(meta.invert), height, width,
    options.previewWidth ?? 0));
}

/**
 * The stage-2 training PNG (§7.7.1, §3.2.1): the crop at native size, windowed with float64 window
 * values (first window, or min-max×255), inverted if MONOCHROME1, truncated to uint8.
 * @param raw stored values cast to int16, rows x cols
 * @param rows image height
 * @param cols image width
 * @param box crop box (end-exclusive)
 * @param meta window tags and MONOCHROME1 flag
 * @returns the single-channel crop and its size
 * @example const { pixels, rows: h, cols: w } = await windowedCropUint8(raw, 2776, 2082, box, meta);
 */
export async function windowedCropUint8(raw: Int16Array, rows: number, cols: number, box: Box, meta: WindowMeta):
  Promise<{ pixels: Uint8Array; rows: number; cols: number }> {
  checkType(raw, 'raw', [Int16Array]);
  checkImage(raw, rows, cols, 'raw');
  checkBox(box, rows, cols);
  const window = windowFromMeta(meta, false);
  const pixels = await native(() => imgprocAddon().imgprocWindowedCropU8(raw, rows, cols, [...box], window, Boolean(meta.invert)));
  return { pixels, rows: box[3] - box[1], cols: box[2] - box[0] };
}

/**
 * The training-path fit-resize (§3.2.3): r = min(height/rows, width/cols), size (int(rows·r), int(cols·r)),
 * OpenCV INTER_LINEAR on uint8 with its 11-bit fixed-point arithmetic (bit-exact), then
 * albumentations PadIfNeeded centered with zeros to height x width.
 * @param u8 single-channel uint8 image (e.g. a stage-2 PNG)
 * @param rows image height
 * @param cols image width
 * @param height output height (2048)
 * @param width output width (1024)
 * @returns height x width uint8
 * @example const x = await resizeTrainingPath(crop.pixels, crop.rows, crop.cols);
 */
export async function resizeTrainingPath(u8: Uint8Array, rows: number, cols: number, height = CLASSIFIER_INPUT.height, width = CLASSIFIER_INPUT.width): Promise<Uint8Array> {
  checkType(u8, 'u8', [Uint8Array]);
  checkImage(u8, rows, cols, 'u8');
  const h = checkSize(height, 'height', CLASSIFIER_INPUT.height);
  const w = checkSize(width, 'width', CLASSIFIER_INPUT.width);
  return native(() => imgprocAddon().imgprocTrainingResize(u8, rows, cols, h, w));
}
