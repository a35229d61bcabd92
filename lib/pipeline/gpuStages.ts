/**
 * The CUDA implementation of the prepare stage's ROI + classifier-input step (docs/GPU.md), and the
 * choice between it and the CPU one (`device: 'auto' | 'cpu' | 'cuda'`). Decode stays on the CPU;
 * the int16 image is uploaded once, the detector input (§2.2) and classifier input (§2.8, §3.1) are
 * computed on the GPU by the CUDA twins (native/imgproc/pixel_math.h shared with the CPU kernels, so
 * the results are bit-identical), and the box choice (§2.5–2.7) is lib/roi's, the same code as on the CPU.
 */
import { invalidArgument } from '../errors';
import { GpuImage } from '../gpu/pipeline';
import { loadCudaAddon, tryLoadCudaAddon } from '../native';
import { fullFrameRoi, isConstantImage, roiFromDetectorInput, ROI_DEFAULTS } from '../roi';
import { cpuPreprocessor, ImagePreprocessor } from './preprocessor';

/** Where the prepare stage runs: 'auto' = the GPU when usable, else the CPU with one line saying why. */
export type DeviceChoice = 'auto' | 'cpu' | 'cuda';

const now = (): number => performance.now();

/** Errors of the CUDA path itself (ERR_CUDA from the kernels, ERR_CUDA_UNAVAILABLE, ...). */
function isCudaError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_CUDA');
}

/** The GPU path: upload once, detector input, box choice, classifier input; device memory freed always. */
export const cudaPreprocessor: ImagePreprocessor = {
  device: 'cuda',
  async run(raw, rows, cols, meta, o) {
    const t0 = now();
    const image = await GpuImage.upload(raw, rows, cols, meta);
    try {
      // A CUDA failure inside detection is the device's, not the image's: rethrown instead of the
      // full-frame answer §2.7.1 gives to detection errors (so 'auto' redoes the image on the CPU).
      let cudaError: Error | undefined;
      const onError = (err: Error): void => { if (isCudaError(err)) cudaError = err; };
      // A constant image is the full frame without detection, as lib/roi's detectRoi does (§1.5.3).
      const roi = isConstantImage(raw) ? fullFrameRoi(rows, cols)
        : await roiFromDetectorInput(() => image.detectorInput(ROI_DEFAULTS.inputSize), rows, cols, { detector: o.detector, method: o.method, onError });
      if (cudaError) throw cudaError;
      const t1 = now();
      const { pixels } = await image.classifierInput(roi.box, { height: o.height, width: o.width, fp16Windows: o.fp16Windows });
      return { device: 'cuda', roi, input: pixels, roiMs: t1 - t0, prepareMs: now() - t1 };
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

