/**
 * Types of the ROI kernels of the CPU addon (native/roi/roi_binding.cc). YOLOX decoding runs on the
 * CPU on every machine: 3549 anchors are microseconds of work, so there is no CUDA version.
 */
import { loadCpuAddon } from '../native';

/** Native result of the box choice (§2.5.4–§2.5.6). */
export interface NativeYoloxSelection {
  row: number;
  scaled: [number, number, number, number];
  score: number;
  box: [number, number, number, number];
  areaPct: number;
  accepted: boolean;
}

/** Native result of extract_roi_otsu with its intermediates (§2.6). */
export interface NativeOtsuSteps {
  p95Upper: number;
  imageMin: number;
  nClipped: number;
  threshold: number;
  binaryForeground: number;
  dilatedForeground: number;
  contourAreas: Float64Array;
  contourPoints: Int32Array;
  largest: number;
  rect: [number, number, number, number];
  box: [number, number, number, number];
  areaPct: number;
  clipped?: Uint8Array;
  blurred?: Uint8Array;
  binary?: Uint8Array;
  dilated?: Uint8Array;
}

/** The ROI functions of the CPU addon. */
export interface RoiCpuAddon {
  yoloxDecode(raw: Float32Array, inputSize: number): Float32Array;
  yoloxPostprocess(raw: Float32Array, inputSize: number, confThres: number, nmsThres: number): Float32Array;
  yoloxSelect(rows: Float32Array, ratio: number, height: number, width: number, areaThres: number): NativeYoloxSelection | null;
  otsuRoi(image: Uint8Array, height: number, width: number, keepImages: boolean): Promise<NativeOtsuSteps>;
}

/** The CPU addon typed with the ROI functions. */
export function roiAddon(): RoiCpuAddon {
  return loadCpuAddon() as unknown as RoiCpuAddon;
}
