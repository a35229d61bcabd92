/**
 * Typed surface of the imgproc kernels (native/imgproc). The CPU addon and the CUDA addon export the
 * same names with the same arguments, so parity tests can call either through this interface.
 */
import { loadCpuAddon } from '../native';
import type { DetectorInput, DetectorInput64 } from './types';
import type { GreyPicture } from '../image/types';

/** Window as the kernels take it (ALGORITHMS.md §1.3–§1.4); func 'NONE' selects min-max (§1.4.6). */
export interface NativeWindow {
  func: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' | 'NONE';
  center: number;
  width: number;
  /** §1.3.5 float16 quantization of center/width (the original's DALI branch); off by default. */
  fp16: boolean;
}

/** What imgprocDetectorInput resolves to (the resized image in the input's element type). */
export type NativeDetectorInput = DetectorInput | DetectorInput64;

export interface NativeDisplayParams extends NativeWindow {
  standard: boolean;
  invert: boolean;
  slope: number;
  intercept: number;
}

/** Functions every imgproc-capable addon (CPU and CUDA) exports. */
export interface ImgprocKernels {
  imgprocMinMaxScale255(raw: Int16Array, rows: number, cols: number, invert: boolean): Promise<Float32Array>;
  imgprocWindowedCrop(raw: Int16Array, rows: number, cols: number, box: number[], window: NativeWindow,
    invert: boolean): Promise<Float32Array>;
  imgprocWindowedCropU8(raw: Int16Array, rows: number, cols: number, box: number[], window: NativeWindow,
    invert: boolean): Promise<Uint8Array>;
  imgprocTorchResize(image: Float32Array, rows: number, cols: number, outRows: number, outCols: number): Promise<Float32Array>;
  imgprocDetectorInput(image: Float32Array, rows: number, cols: number, size: number): Promise<NativeDetectorInput>;
  imgprocClassifierInput(raw: Int16Array, rows: number, cols: number, box: number[], window: NativeWindow,
    invert: boolean, outRows: number, outCols: number): Promise<Uint8Array>;
  imgprocCvResizeLinear(pixels: Uint8Array, rows: number, cols: number, outRows: number, outCols: number): Promise<Uint8Array>;
}

/** The CPU addon's imgproc functions (kernels plus the CPU-only ones). */
export interface ImgprocCpuAddon extends Omit<ImgprocKernels, 'imgprocDetectorInput'> {
  /** Float64Array input (CPU only) runs torch's float64 kernel and returns a Float64Array `resized`. */
  imgprocDetectorInput(image: Float32Array | Float64Array, rows: number, cols: number, size: number): Promise<NativeDetectorInput>;
  imgprocPercentileMinMaxScale(pixels: Uint16Array | Uint8Array, rows: number, cols: number): Promise<Float64Array>;
  imgprocTrainingResize(pixels: Uint8Array, rows: number, cols: number, outRows: number, outCols: number): Promise<Uint8Array>;
  imgprocWindowToUint8(pixels: Int16Array | Uint16Array | Int32Array | Float32Array, rows: number, cols: number,
    params: NativeDisplayParams): Promise<Uint8Array>;
  /** Classifier input + its thumbnail in one job (the pipeline's prepare stage). */
  imgprocPrepareInput(raw: Int16Array, rows: number, cols: number, box: number[], window: NativeWindow, invert: boolean,
    outRows: number, outCols: number, previewWidth: number): Promise<{ pixels: Uint8Array; preview?: GreyPicture }>;
  /** Area-average thumbnail of a uint8 image (reports). */
  imgprocThumbnail(pixels: Uint8Array, rows: number, cols: number, width: number): Promise<GreyPicture>;
  /** Writes the float32 [N, 3, H, W] batch tensor of N uint8 inputs into `out` (in place). */
  imgprocBatchTensor(inputs: Uint8Array[], plane: number, out: Float32Array<ArrayBufferLike>): Promise<void>;
}

/** The CPU addon typed as its imgproc surface. */
export function imgprocAddon(): ImgprocCpuAddon {
  return loadCpuAddon() as unknown as ImgprocCpuAddon;
}
