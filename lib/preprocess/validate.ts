/** Argument checks of the preprocess API (sharp's message shape via invalidArgument). */
import { invalidArgument } from '../errors';
import type { Box, WindowMeta } from './types';
import type { NativeWindow } from './addon';

/** Checks rows/cols are positive integers and `pixels` holds rows*cols elements. */
export function checkImage(pixels: ArrayLike<number>, rows: number, cols: number, name = 'pixels'): void {
  if (!Number.isInteger(rows) || rows <= 0) throw invalidArgument('rows', 'a positive integer', rows);
  if (!Number.isInteger(cols) || cols <= 0) throw invalidArgument('cols', 'a positive integer', cols);
  if (pixels.length !== rows * cols) {
    throw invalidArgument(name, `${rows * cols} elements (rows*cols)`, `${pixels.length} elements`);
  }
}

/** Checks `value` is an instance of one of `types` (named in the message). */
export function checkType(value: unknown, name: string, types: Array<new (...a: never[]) => unknown>): void {
  if (!types.some((T) => value instanceof T)) {
    throw invalidArgument(name, `a ${types.map((T) => T.name).join(' or ')}`, value);
  }
}

/** Checks a crop box lies inside rows x cols and is non-empty (§2.8, end-exclusive). */
export function checkBox(box: Box, rows: number, cols: number): void {
  const ok = Array.isArray(box) && box.length === 4 && box.every((v) => Number.isInteger(v)) &&
    box[0] >= 0 && box[1] >= 0 && box[2] <= cols && box[3] <= rows && box[2] > box[0] && box[3] > box[1];
  if (!ok) throw invalidArgument('box', `integer [x0, y0, x1, y1] with 0 <= x0 < x1 <= ${cols}, 0 <= y0 < y1 <= ${rows}`, box);
}

/** Checks an optional positive integer size argument. */
export function checkSize(value: number | undefined, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v <= 0 || v > 16384) throw invalidArgument(name, 'an integer in 1..16384', value);
  return v;
}

/**
 * The window the original uses (§1.3.1–1.3.3): index `index` (0 in the pipeline) of both lists, the
 * VOI function upper-cased (absent → LINEAR), or min-max ('NONE') when either list is empty.
 * `strict` (the pipeline functions) rejects lists of different lengths as the original asserts.
 */
export function windowFromMeta(meta: WindowMeta, fp16 = false, index = 0, strict = true): NativeWindow {
  if (!meta || !Array.isArray(meta.windowCenter) || !Array.isArray(meta.windowWidth)) {
    throw invalidArgument('meta', 'a WindowMeta with windowCenter[] and windowWidth[]', meta);
  }
  const n = Math.min(meta.windowCenter.length, meta.windowWidth.length);
  if (strict && meta.windowCenter.length !== meta.windowWidth.length) {
    throw invalidArgument('meta.windowWidth', `as many values as windowCenter (${meta.windowCenter.length}; ALGORITHMS.md §1.3.1)`, meta.windowWidth);
  }
  if (n === 0) return { func: 'NONE', center: 0, width: 0, fp16 };
  if (!Number.isInteger(index) || index < 0 || index >= n) throw invalidArgument('windowIndex', `an integer in 0..${n - 1}`, index);
  const func = (meta.voiLutFunction ?? 'LINEAR').toUpperCase();
  if (func !== 'LINEAR' && func !== 'LINEAR_EXACT' && func !== 'SIGMOID') {
    throw invalidArgument('meta.voiLutFunction', 'LINEAR, LINEAR_EXACT or SIGMOID (ALGORITHMS.md §1.3.3)', meta.voiLutFunction);
  }
  return { func, center: meta.windowCenter[index], width: meta.windowWidth[index], fp16 };
}

/** The one native-call wrapper (lib/util/nativeCall.ts). */
export { nativeCall as native } from '../util/nativeCall';
