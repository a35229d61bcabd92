/**
 * The CUDA implementation of the prepare stage's ROI + classifier-input step (docs/GPU.md), and the
 * choice between it and the CPU one (`device: 'auto' | 'cpu' | 'cuda'`). Decode stays on the CPU;
 * the int16 image is uploaded once, the detector input (§2.2) and classifier input (§2.8, §3.1) are
 * computed on the GPU by the fused kernels (native/imgproc/pixel_math.h shared with the CPU kernels, so
 * the results are bit-identical), and the box choice (§2.5–2.7) is lib/roi's, the same code as on the CPU.
 * The classifier input stays in GPU memory (a GpuPlane) for the batch engine input (lib/pipeline/batchFeed.ts).
 */
import { invalidArgument } from '../errors';
import { GpuImage, GpuPlane } from '../gpu/pipeline';
import { loadCudaAddon, tryLoadCudaAddon } from '../native';
import type { MammoImage } from '../image';
import { imgprocAddon } from '../preprocess/addon';
import { native } from '../preprocess/validate';
import { detectorImage, fullFrameRoi, roiFromDetectorInput, ROI_DEFAULTS } from '../roi';
import { cpuPreprocessor, ImagePreprocessor, PreprocessOptions, PreprocessResult } from './preprocessor';

/** Where the prepare stage runs: 'auto' = the GPU when usable, else the CPU with one line saying why. */
export type DeviceChoice = 'auto' | 'cpu' | 'cuda';

const now = (): number => performance.now();

/** Errors of the CUDA path itself (ERR_CUDA from the kernels, ERR_CUDA_UNAVAILABLE, ...). */
function isCudaError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_CUDA');
}

/**
 * Report thumbnails on the GPU path: the min-max image and the classifier input, by CPU jobs. Only when
 * a report asks (previewWidth): then, and only then, the classifier input is copied to the host.
 */
async function gpuPreviews(image: MammoImage, plane: GpuPlane, o: PreprocessOptions): Promise<PreprocessResult['preview']> {
  if (!o.previewWidth) return undefined;
  const scaled = await detectorImage(image.pixels, image.height, image.width, image.invert, { previewWidth: o.previewWidth });
  const input = await plane.toHost();
  const small = await native(() => imgprocAddon().imgprocThumbnail(input, o.height, o.width, o.previewWidth! / 2));
  return scaled.preview && { image: scaled.preview, input: small };
}

/** The GPU path: upload once, detector input, box choice, classifier input; device memory freed always. */
export const cudaPreprocessor: ImagePreprocessor = {
  device: 'cuda',
  async run(mammo, o) {
    const { pixels, height: rows, width: cols } = mammo;
    const t0 = now();
    const image = await GpuImage.upload(pixels, rows, cols, mammo.window);
    try {
      // A CUDA failure inside detection is the device's, not the image's: rethrown instead of the
      // full-frame answer §2.7.1 gives to detection errors (so 'auto' redoes the image on the CPU).
      let cudaError: Error | undefined;
      const onError = (err: Error): void => { if (isCudaError(err)) cudaError = err; };
      const made = image.detectorInput(ROI_DEFAULTS.inputSize);
      const first = await made.catch(() => undefined);
      // A constant image (the device min-max says so) is the full frame without detection (§1.5.3).
      const roi = first?.constant ? fullFrameRoi(rows, cols)
        : await roiFromDetectorInput(() => made, rows, cols, { detector: o.detector, method: o.method, onError });
      if (cudaError) throw cudaError;
      const t1 = now();
      const input = await image.classifierPlane(roi.box, { height: o.height, width: o.width, fp16Windows: o.fp16Windows });
      const prepareMs = now() - t1;
      try {
        return { device: 'cuda', roi, input, roiMs: t1 - t0, prepareMs, preview: await gpuPreviews(mammo, input, o) };
      } catch (err) {
        input.dispose();
        throw err;
      }
    } finally {
      image.dispose();
    }
  },
};

/**
 * With 'auto', a CUDA failure while preparing (code ERR_CUDA*, e.g. out of device memory) moves this
 * and every later image to the CPU path, with one line; other errors are the image's own.
 */
export function withCpuFallback(gpu: ImagePreprocessor, log: (line: string) => void): ImagePreprocessor {
  let failed = false;
  return {
    get device() { return failed ? 'cpu' : gpu.device; },
    async run(...args) {
      if (failed) return cpuPreprocessor.run(...args);
      try {
        return await gpu.run(...args);
      } catch (err) {
        if (!isCudaError(err)) throw err;
        if (!failed) log(`rsna-mammo: GPU preprocessing failed (${(err as Error).message}); using the CPU path from now on`);
        failed = true;
        return cpuPreprocessor.run(...args);
      }
    },
  };
}

/**
 * Fails early (before models are converted or opened) when `device` is 'cuda' and no GPU is usable.
 * @throws RsnaMammoError ERR_CUDA_UNAVAILABLE naming the reason
 */
export function requireDevice(device: DeviceChoice | undefined): void {
  if (device === 'cuda') loadCudaAddon();
}

/**
 * The preprocessor for `device`: 'cpu' → CPU; 'cuda' → GPU or ERR_CUDA_UNAVAILABLE naming the reason;
 * 'auto' → GPU when lib/native's probe says usable, else CPU after logging the reason once.
 * @throws RsnaMammoError ERR_CUDA_UNAVAILABLE ('cuda' without a usable GPU), ERR_INVALID_ARGUMENT
 */
export function resolvePreprocessor(device: DeviceChoice | undefined, log: (line: string) => void): ImagePreprocessor {
  const choice = device ?? 'auto';
  if (choice === 'cpu') return cpuPreprocessor;
  if (choice === 'cuda') {
    requireDevice(choice);
    return cudaPreprocessor;
  }
  if (choice !== 'auto') throw invalidArgument('device', "'auto', 'cpu' or 'cuda'", device);
  return tryLoadCudaAddon(log) ? withCpuFallback(cudaPreprocessor, log) : cpuPreprocessor;
}

