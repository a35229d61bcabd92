/**
 * The GPU-resident one-image pipeline (native/cuda_addon/gpu_image.h): upload the raw int16 image
 * once, then compute the YOLOX detector input (ALGORITHMS.md §2.2) and, once the ROI is known, the
 * classifier input (§2.8, §3.1) with the float32 engine input beside it, on the GPU. Same arguments and
 * bit-identical results as lib/preprocess's CPU functions (minMaxScale255 + detectorInput,
 * classifierInput), which stay the fallback when no GPU is usable.
 */
import { fromNativeError, invalidArgument } from '../errors';
import { nativeCall } from '../util/nativeCall';
import { CLASSIFIER_INPUT, DETECTOR_INPUT_SIZE } from '../preprocess/sizes';
import { CudaAddon, loadCudaAddon } from '../native';
import type { NativeWindow } from '../preprocess/addon';
import type { Box, DetectorTensor, WindowMeta } from '../preprocess/types';
import { checkBox, checkImage, checkSize, checkType, windowFromMeta } from '../preprocess/validate';

/**
 * The detector input as the GPU returns it: the tensor only (the Otsu fallback reads its top-left
 * block), and whether the image is constant (from the device min-max, §1.5.3).
 */
export type GpuDetectorInput = DetectorTensor & { constant: boolean };

/** Which float32 engine input to return beside the uint8 image (3 x H x W, identical channels before normalization). */
export type GpuTensorMode = 'none' | 'float255' | 'normalized';

/** The classifier input: uint8 pixels (height x width) and, when asked, the float32 3 x H x W tensor. */
export interface GpuClassifierInput {
  pixels: Uint8Array;
  tensor?: Float32Array;
}

/** A uint8 classifier input in device memory (native/cuda_addon CudaPlane). */
export interface NativeCudaPlane {
  readonly height: number;
  readonly width: number;
  /** The one device→host copy of the plane. */
  download(): Promise<Uint8Array>;
  dispose(): void;
}

interface NativeCudaImage {
  detectorInput(invert: boolean, size: number): Promise<GpuDetectorInput>;
  classifierInput(box: number[], window: NativeWindow, invert: boolean, rows: number, cols: number, tensor: GpuTensorMode): Promise<GpuClassifierInput>;
  classifierPlane(box: number[], window: NativeWindow, invert: boolean, rows: number, cols: number): Promise<NativeCudaPlane>;
  dispose(): void;
}

interface PipelineAddon extends CudaAddon {
  cudaImageUpload(raw: Int16Array, rows: number, cols: number): Promise<NativeCudaImage>;
}


/** One image resident on the GPU. Call dispose() when done (device memory). */
export class GpuImage {
  private constructor(private handle: NativeCudaImage | undefined, readonly rows: number, readonly cols: number,
    private readonly meta: WindowMeta) {}

  /**
   * Uploads `raw` (stored values cast to int16, rows x cols) to the GPU.
   * @param meta window tags and MONOCHROME1 flag (used by both stages)
   * @throws RsnaMammoError ERR_CUDA_UNAVAILABLE without a usable GPU (use lib/preprocess then), ERR_INVALID_ARGUMENT
   * @example const img = await GpuImage.upload(raw, 2776, 2082, meta); const det = await img.detectorInput();
   */
  static async upload(raw: Int16Array, rows: number, cols: number, meta: WindowMeta): Promise<GpuImage> {
    checkType(raw, 'raw', [Int16Array]);
    checkImage(raw, rows, cols, 'raw');
    windowFromMeta(meta);  // validate the tags before any GPU work
    const addon = loadCudaAddon() as PipelineAddon;
    const handle = await nativeCall(() => addon.cudaImageUpload(raw, rows, cols));
    return new GpuImage(handle, rows, cols, { ...meta });
  }

  private live(): NativeCudaImage {
    if (!this.handle) throw fromNativeError({ code: 'ERR_DISPOSED', message: 'the GPU image was disposed' });
    return this.handle;
  }

  /** §2.2: min-max×255 (inverted if MONOCHROME1), torch bilinear fit into size x size, top-left letterbox 114. */
  async detectorInput(size = DETECTOR_INPUT_SIZE): Promise<GpuDetectorInput> {
    const s = checkSize(size, 'size', DETECTOR_INPUT_SIZE);
    return nativeCall(() => this.live().detectorInput(Boolean(this.meta.invert), s));
  }

  /**
   * §2.8 + §3.1: crop, first window (min-max×255 of the crop without tags), invert, resize_and_pad,
   * uint8 truncation. `tensor: 'float255'` also returns the 3-channel float32 0..255 tensor the 4-fold
   * ensemble takes (§3.1.5, it normalizes inside, §4.4); `'normalized'` the §3.4 ImageNet-normalized one.
   */
  async classifierInput(box: Box,
    options: { height?: number; width?: number; fp16Windows?: boolean; tensor?: GpuTensorMode } = {}): Promise<GpuClassifierInput> {
    checkBox(box, this.rows, this.cols);
    const height = checkSize(options.height, 'options.height', CLASSIFIER_INPUT.height);
    const width = checkSize(options.width, 'options.width', CLASSIFIER_INPUT.width);
    const window = windowFromMeta(this.meta, Boolean(options.fp16Windows));
    const tensor = options.tensor ?? 'none';
    if (!['none', 'float255', 'normalized'].includes(tensor)) throw invalidArgument('options.tensor', "'none', 'float255' or 'normalized'", tensor);
    return nativeCall(() => this.live().classifierInput([...box], window, Boolean(this.meta.invert), height, width, tensor));
  }

  /**
   * The same uint8 classifier input as {@link classifierInput}, kept in device memory (it outlives this
   * image): the pipeline's engine input never visits the host (docs/GPU.md).
   */
  async classifierPlane(box: Box, options: { height?: number; width?: number; fp16Windows?: boolean } = {}): Promise<GpuPlane> {
    checkBox(box, this.rows, this.cols);
    const height = checkSize(options.height, 'options.height', CLASSIFIER_INPUT.height);
    const width = checkSize(options.width, 'options.width', CLASSIFIER_INPUT.width);
    const window = windowFromMeta(this.meta, Boolean(options.fp16Windows));
    const plane = await nativeCall(() => this.live().classifierPlane([...box], window, Boolean(this.meta.invert), height, width));
    return new GpuPlane(plane);
  }

  /** Frees the device memory (jobs in flight finish first). */
  dispose(): void {
    this.handle?.dispose();
    this.handle = undefined;
  }
}

/** A classifier input (uint8 height × width, §3.1) kept on the GPU; the pipeline's DeviceClassifierInput. */
export class GpuPlane {
  readonly location = 'cuda' as const;
  readonly height: number;
  readonly width: number;

  constructor(private handle: NativeCudaPlane | undefined) {
    this.height = handle!.height;
    this.width = handle!.width;
  }

  /** The native plane (for a batch fill); throws ERR_DISPOSED after dispose(). */
  native(): NativeCudaPlane {
    if (!this.handle) throw fromNativeError({ code: 'ERR_DISPOSED', message: 'the classifier input on the GPU was disposed' });
    return this.handle;
  }

  /** Copies the plane to host memory (reports; a host backend copies the batch instead). */
  toHost(): Promise<Uint8Array> {
    const plane = this.native();
    return nativeCall(() => plane.download());
  }

  /** Frees the device memory now (otherwise when collected). */
  dispose(): void {
    this.handle?.dispose();
    this.handle = undefined;
  }
}
