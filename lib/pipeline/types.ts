/**
 * Types shared by the pipeline (DESIGN.md "The one path every image takes"): what goes in (a DICOM
 * path or its bytes), what each stage hands to the next, and what comes out per image.
 */
import type { GreyPicture, ImageSource } from '../image';
import type { RoiResult } from '../roi/types';

/** A DICOM file: its path, or its bytes (Buffer / Uint8Array) when it never touched the disk. */
export type { ImageSource };

/** One image to predict; `tag` travels untouched to the result (e.g. the test.csv row). */
export interface PredictRequest<T = unknown> {
  source: ImageSource;
  /** Stable name of the image in results and logs; defaults to the path, or `buffer-<n>`. */
  key?: string;
  tag?: T;
}

/** ROI stage outcome (ALGORITHMS.md §2.5–2.7): lib/roi's one RoiResult (score null unless YOLOX). */
export type { RoiResult };

/** DICOM facts the pipeline reports and groups by (study grouping for `predict`). */
export interface ImageMeta {
  rows: number;
  columns: number;
  photometricInterpretation?: string;
  patientId?: string;
  /** ImageLaterality (0020,0062), else Laterality (0020,0060): 'L' | 'R'. */
  laterality?: string;
  viewPosition?: string;
}

/** Milliseconds spent per stage for one image (inference time is the batch's share). */
export interface StageTimings {
  readMs: number;
  decodeMs: number;
  roiMs: number;
  prepareMs: number;
  inferMs: number;
}

/** A small 8-bit grey picture for reports: lib/image's type. */
export type { GreyPicture };

/** Thumbnails kept only when asked (`previewWidth`): the whole image and the classifier input. */
export interface ImagePreview {
  /** Whole image, min-max scaled like the detector input (§2.2.1), inverted when MONOCHROME1. */
  image: GreyPicture;
  /** Scale from full-image pixels to `image` pixels (to draw the ROI box). */
  scale: number;
  /** The 2048×1024 classifier input, downsampled. */
  input: GreyPicture;
}

/**
 * A classifier input kept in GPU memory by the CUDA prepare stage (lib/gpu GpuPlane): uint8 H×W,
 * assembled into the batch engine input on the device (docs/GPU.md).
 */
export interface DeviceClassifierInput {
  readonly location: 'cuda';
  readonly height: number;
  readonly width: number;
  /** The one device→host copy of this image's input (report previews only). */
  toHost(): Promise<Uint8Array>;
  /** Frees the device memory now (otherwise when collected). */
  dispose(): void;
}

/** Classifier input, uint8 H×W single channel (ALGORITHMS.md §3.1): in host memory, or on the GPU. */
export type ClassifierInput = Uint8Array | DeviceClassifierInput;

/** What the prepare stage produces for one image: the classifier input and how it was made. */
export interface PreparedImage {
  /** Classifier input, uint8 H×W single channel (ALGORITHMS.md §3.1), host or device memory. */
  input: ClassifierInput;
  roi: RoiResult;
  /** Name of the decoder that produced the stored values (e.g. 'openjpeg', 'raw'). */
  decoder: string;
  /** Which processor computed ROI and classifier input ('cpu' | 'cuda'); absent from injected stages that do not say. */
  device?: 'cpu' | 'cuda';
  meta: ImageMeta;
  timings: Omit<StageTimings, 'inferMs'>;
  preview?: ImagePreview;
}

/** A successful per-image prediction. */
export interface ImagePrediction<T = unknown> {
  ok: true;
  key: string;
  tag?: T;
  /** One probability per fold model, fold 0 first (ALGORITHMS.md §4.4), float32 values. */
  foldProbabilities: number[];
  /** NaN→0 then the float32 mean over folds (§5.6.6). */
  probability: number;
  roi: RoiResult;
  decoder: string;
  /** Which processor prepared the image ('cpu' | 'cuda'), when the stages say. */
  device?: 'cpu' | 'cuda';
  /** The inference backend that ran the ensemble and where (e.g. 'onnxruntime:cpu', 'libtorch:cuda:0'), when the stages say. */
  backend?: string;
  meta: ImageMeta;
  timings: StageTimings;
  preview?: ImagePreview;
}

/** A per-image failure: the run goes on, the image is reported (errors.csv). */
export interface ImageFailure<T = unknown> {
  ok: false;
  key: string;
  tag?: T;
  /** Stage that failed: 'prepare' (read, decode, ROI, classifier input) or 'infer'. */
  stage: 'prepare' | 'infer';
  code: string;
  message: string;
}

export type ImageResult<T = unknown> = ImagePrediction<T> | ImageFailure<T>;

/**
 * The two stages the pipeline composes. The defaults (lib/pipeline/stages.ts) wire lib/dicom,
 * lib/roi, lib/preprocess and lib/runtime; tests and services may inject their own.
 */
export interface PipelineStages {
  /** Read → decode → ROI → classifier input for one image (ALGORITHMS.md §1–§3.1). */
  prepare(source: ImageSource, key: string): Promise<PreparedImage>;
  /** Runs the fold ensemble on classifier inputs; one Float32Array of fold probabilities per input. */
  infer(inputs: ClassifierInput[]): Promise<Float32Array[]>;
  /** The inference backend behind infer() and its device ('libtorch:cuda:0', 'onnxruntime:cpu'), for predictions.csv. */
  backend?: string;
  /** Releases sessions and native resources. */
  close(): Promise<void>;
}
