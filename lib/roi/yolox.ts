/**
 * YOLOX head post-processing (ALGORITHMS.md §2.3–§2.5): decode, obj·cls filter, class-aware NMS and the
 * single-box choice of the original RoiExtractor, computed by the native kernels in float32.
 */
import { invalidArgument } from '../errors';
import { nativeSync } from '../util/nativeCall';
import { roiAddon } from './addon';
import { Box, ROI_DEFAULTS, RoiResult, YoloxCandidate, YoloxOptions, YoloxSelectOptions } from './types';

const ROW = 7;

function checkRaw(raw: unknown, inputSize: number): Float32Array {
  if (!Number.isInteger(inputSize) || inputSize <= 0 || inputSize % 32 !== 0 || inputSize > 8192) {
    throw invalidArgument('inputSize', 'a positive multiple of 32', inputSize);
  }
  const anchors = [8, 16, 32].reduce((n, s) => n + (inputSize / s) ** 2, 0);
  if (!(raw instanceof Float32Array) || raw.length !== anchors * 6) {
    throw invalidArgument('raw', `a Float32Array of ${anchors}×6 raw YOLOX outputs`, raw);
  }
  return raw;
}

function checkThreshold(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArgument(name, 'a finite number', value);
  return value;
}

function resolve(options: YoloxOptions = {}): Required<YoloxOptions> {
  return {
    confThres: checkThreshold('confThres', options.confThres ?? ROI_DEFAULTS.confThres),
    nmsThres: checkThreshold('nmsThres', options.nmsThres ?? ROI_DEFAULTS.nmsThres),
    inputSize: options.inputSize ?? ROI_DEFAULTS.inputSize,
  };
}


/**
 * Decodes the raw head output like `decode_outputs` (§2.4): per anchor
 * `[(tx+gx)·s, (ty+gy)·s, exp(tw)·s, exp(th)·s, obj, cls]` (centre, size in input pixels).
 * @param raw (1, anchors, 6) float32, anchors = 3549 for a 416 input
 * @param inputSize square input size (default 416)
 * @returns decoded (anchors, 6) float32
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT for a wrong length or size
 * @example const decoded = decodeYolox(raw);
 */
export function decodeYolox(raw: Float32Array, inputSize: number = ROI_DEFAULTS.inputSize): Float32Array {
  checkRaw(raw, inputSize);
  return nativeSync(() => roiAddon().yoloxDecode(raw, inputSize));
}

/** post_process rows (x0, y0, x1, y1, obj, cls, clsId) in NMS keep order, as a flat Float32Array. */
export function postprocessYoloxRows(raw: Float32Array, options?: YoloxOptions): Float32Array {
  const o = resolve(options);
  checkRaw(raw, o.inputSize);
  return nativeSync(() => roiAddon().yoloxPostprocess(raw, o.inputSize, o.confThres, o.nmsThres));
}

/**
 * Decode + filter (obj·cls ≥ confThres) + torchvision batched NMS (IoU > nmsThres suppressed) like the
 * original `post_process` (§2.5.1–§2.5.3). Candidates come in NMS keep order (descending obj·cls).
 * @returns the detections in 416-input pixels; empty when nothing passes the filter
 * @example const dets = postprocessYolox(raw, { confThres: 0.01, nmsThres: 0.45 });
 */
export function postprocessYolox(raw: Float32Array, options?: YoloxOptions): YoloxCandidate[] {
  const rows = postprocessYoloxRows(raw, options);
  const out: YoloxCandidate[] = [];
  for (let i = 0; i < rows.length; i += ROW) {
    out.push({ box: [rows[i], rows[i + 1], rows[i + 2], rows[i + 3]], obj: rows[i + 4], cls: rows[i + 5], clsId: rows[i + 6] });
  }
  return out;
}

/**
 * The single YOLOX box of `detect_single` (§2.5.4–§2.5.6): corners / r in float32, the first row with
 * the maximal obj·cls, truncation toward zero, clamp to the image, then the area rule.
 * @param raw raw head output (see decodeYolox)
 * @param ratio r = min(416/rows, 416/cols) of the detector input
 * @param rows full-resolution height H
 * @param cols full-resolution width W
 * @returns the ROI, or null when nothing passes the filter or the box covers < areaPctThres of the
 *   image (the caller then falls back to Otsu, §2.6)
 * @throws RsnaMammoError ERR_ROI_NONFINITE when the chosen box is not finite (the original raises too)
 */
export function selectYoloxBox(
  raw: Float32Array,
  ratio: number,
  rows: number,
  cols: number,
  options: YoloxSelectOptions = {},
): RoiResult | null {
  if (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio)) throw invalidArgument('ratio', 'a positive number', ratio);
  if (!Number.isInteger(rows) || rows < 1) throw invalidArgument('rows', 'a positive integer', rows);
  if (!Number.isInteger(cols) || cols < 1) throw invalidArgument('cols', 'a positive integer', cols);
  const areaPctThres = checkThreshold('areaPctThres', options.areaPctThres ?? ROI_DEFAULTS.areaPctThres);
  const postRows = postprocessYoloxRows(raw, options);
  const sel = nativeSync(() => roiAddon().yoloxSelect(postRows, ratio, rows, cols, areaPctThres));
  if (!sel || !sel.accepted) return null;
  return { box: sel.box as Box, method: 'yolox', areaPct: sel.areaPct, score: sel.score, ratio };
}
