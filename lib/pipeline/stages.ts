/**
 * The real stages (DESIGN.md): read → decode (lib/dicom) → ROI (lib/roi) → classifier input
 * (lib/preprocess) → fold ensemble (lib/runtime). Every heavy step is async native work on the
 * libuv pool or the runtime's own threads, so the event loop stays free.
 */
import os from 'os';
import { RsnaMammoError } from '../errors';
import type { DecoderChoice } from '../dicom';
import { decodeImage } from '../image';
import { CLASSIFIER_INPUT } from '../preprocess';
import { roiDetector, yoloxRunnerFromModel } from '../roi';
import type { RoiDetectorName, YoloxRunner } from '../roi';
import { createSession } from '../runtime';
import type { SessionOptions } from '../runtime';
import { DeviceChoice, resolvePreprocessor } from './gpuStages';
import type { ImagePreprocessor } from './preprocessor';
import { BatchFeeder } from './batchFeed';
import { inputPixels } from './classifierInput';
import type { ClassifierInput, ImagePreview, ImageSource, PipelineStages, PreparedImage } from './types';

/** MODEL_INPUT_SIZE of the original (ALGORITHMS.md §5.1). */
export const CLASSIFIER_INPUT_SIZE: readonly [number, number] = [CLASSIFIER_INPUT.height, CLASSIFIER_INPUT.width];

/** Options of {@link createRealStages}. */
export interface RealStageOptions {
  /** Ensemble ONNX: float32 [N,3,H,W] in 0..255 → [N,k] fold probabilities (ALGORITHMS.md §4.4). */
  classifier: string;
  /** YOLOX ONNX; required when `roi` is 'yolox'. */
  detector?: string;
  /** 'yolox' (detector, then Otsu, then full frame) or 'otsu' (Otsu, then full frame), §2.5–2.7. */
  roi: RoiDetectorName;
  /** Inference backend of lib/runtime ('auto': TensorRT when usable, else libtorch on CUDA, else ONNX Runtime). */
  backend?: SessionOptions['backend'];
  /** libtorch precision: 'fp32' (default) | 'tf32' | 'fp16' | 'bf16' (the other backends ignore it). */
  precision?: SessionOptions['precision'];
  /** Inference threads (0 = all cores but one, leaving one to the event loop and decoding). */
  threads?: number;
  /** Largest batch the classifier session is prepared for. */
  maxBatch?: number;
  decoder?: DecoderChoice;
  /** [height, width] of the classifier input; default 2048×1024. */
  inputSize?: readonly [number, number];
  /** The DALI branch's float16 window values (§1.3.5); off = the dicomsdl branch, as the e2e golden. */
  fp16Windows?: boolean;
  /** Keep report thumbnails this wide (0 / undefined = none). */
  previewWidth?: number;
  /**
   * Where ROI and classifier input are computed: 'auto' (default) the GPU when usable, else the CPU
   * after one line saying why; 'cpu'; 'cuda' (ERR_CUDA_UNAVAILABLE without a usable GPU). Same results.
   */
  device?: DeviceChoice;
  /** Where the one-line device messages go (default stderr). */
  log?: (line: string) => void;
}

/** What {@link createPrepare} needs: the stage options without the classifier, the opened detector. */
export type PrepareStageOptions = Omit<RealStageOptions, 'classifier' | 'detector' | 'backend' | 'precision' | 'threads' | 'maxBatch' | 'device' | 'log'> & {
  detector?: YoloxRunner;
  preprocessor: ImagePreprocessor;
};

/**
 * Opens the model sessions and returns the stages.
 * @throws RsnaMammoError ERR_NO_DETECTOR when `roi` is 'yolox' without a detector model.
 */
export async function createRealStages(o: RealStageOptions): Promise<PipelineStages> {
  const needsModel = roiDetector(o.roi, 'options.roi').needsModel;
  if (needsModel && !o.detector) {
    throw new RsnaMammoError('ERR_NO_DETECTOR', 'ROI method yolox needs the YOLOX detector model; pass --roi otsu to use the Otsu fallback for every image');
  }
  const preprocessor = resolvePreprocessor(o.device, o.log ?? ((line) => process.stderr.write(`${line}\n`)));
  const [height, width] = o.inputSize ?? CLASSIFIER_INPUT_SIZE;
  // One core is left to the event loop and the decode/ROI jobs unless told otherwise.
  const threads = o.threads || Math.max(1, os.availableParallelism() - 1);
  const sessionOptions: SessionOptions = { backend: o.backend ?? 'auto', maxBatch: o.maxBatch ?? 2, threads, precision: o.precision };
  const session = await createSession(o.classifier, sessionOptions);
  if (session.outputNames[0] !== 'probs') {
    // A bare classifier (normalised input → logits) would be read as probabilities (§4.4).
    const names = session.outputNames.join(', ');
    await session.dispose();
    throw new RsnaMammoError('ERR_MODEL_MISMATCH', `the classifier model's output is "${names}", not the ensemble's "probs" ` +
      '(0..255 input → fold probabilities): convert the fold checkpoints into an ensemble, or delete this cached file to reconvert it', { file: o.classifier });
  }
  let detector: Awaited<ReturnType<typeof yoloxRunnerFromModel>> | undefined;
  try {
    if (needsModel) detector = await yoloxRunnerFromModel(o.detector!, { ...sessionOptions, maxBatch: 1 });
  } catch (err) {
    await session.dispose();
    throw err;
  }
  const feeder = new BatchFeeder(session);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];

  const prepare = createPrepare({ ...o, detector, preprocessor });

  async function infer(inputs: ClassifierInput[]): Promise<Float32Array[]> {
    const plane = height * width;
    for (const input of inputs) {
      const n = inputPixels(input);
      if (n !== plane) throw new RsnaMammoError('ERR_INFER_SHAPE', `classifier input has ${n} pixels, expected ${height}×${width}`);
    }
    // GPU inputs stay on the GPU when the session takes device data (lib/pipeline/batchFeed.ts). The
    // feed's storage is reused by the next batch, which starts only after this run() settles.
    const feed = await feeder.feed(inputs, height, width);
    const out = await session.run({ [inputName]: feed });
    const probs = out[outputName];
    const k = probs.dims[1] ?? 1;
    if (probs.dims[0] !== inputs.length || probs.data.length !== inputs.length * k) {
      throw new RsnaMammoError('ERR_INFER_SHAPE', `classifier output has shape [${probs.dims.join(', ')}] for ${inputs.length} images`);
    }
    return inputs.map((_, n) => probs.data.slice(n * k, (n + 1) * k));
  }

  return {
    prepare,
    infer,
    backend: session.device ? `${session.backend}:${session.device}` : session.backend,
    async close() {
      feeder.dispose();
      await session.dispose();
      await detector?.dispose();
    },
  };
}

/**
 * The prepare stage (ALGORITHMS.md §1–§3.1): read and decode on the CPU, then ROI and classifier input
 * by `preprocessor` (CPU or CUDA, lib/pipeline/preprocessor.ts), as one {@link PreparedImage}.
 */
export function createPrepare(o: PrepareStageOptions): (source: ImageSource, key: string) => Promise<PreparedImage> {
  const [height, width] = o.inputSize ?? CLASSIFIER_INPUT_SIZE;
  const { preprocessor, detector } = o;
  return async function prepare(source: ImageSource, key: string): Promise<PreparedImage> {
    const image = await decodeImage(source, { key, decoder: o.decoder });
    const { height: rows, width: columns } = image;
    const { device, roi, input, roiMs, prepareMs, preview: pictures } = await preprocessor.run(image,
      { method: o.roi, detector, height, width, fp16Windows: o.fp16Windows, previewWidth: o.previewWidth });
    const preview: ImagePreview | undefined = pictures?.input &&
      { image: pictures.image, scale: pictures.image.width / columns, input: pictures.input };
    return {
      input,
      roi,
      decoder: image.decoder,
      device,
      meta: { rows, columns, ...image.meta },
      timings: { ...image.timings, roiMs, prepareMs },
      preview,
    };
  };
}
