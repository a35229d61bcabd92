/**
 * rsna-mammo's side of each stage: a small adapter over the public functions of lib/dicom,
 * lib/preprocess, lib/roi, lib/models, lib/runtime and lib/pipeline. An adapter whose functions are
 * not in this build returns the reason instead (the row then says "not available").
 * Each adapter's `setup` does the untimed work (reading inputs, loading models); `run` is what is
 * timed, the same cut as the Python peer's stage functions.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { firstMissing, libApi } from './api';
import { synthU8 } from './synthetic';
import { BenchItem, BenchJob, StageName } from './types';

export interface StageRun {
  run(): Promise<unknown>;
  /** Digest of the last run's result; may write the output array to the job's out_dir. */
  output(result: unknown): Record<string, unknown>;
}

export type StageSetup = (item: BenchItem) => Promise<StageRun>;

type Box = [number, number, number, number];

interface DicomImageLike {
  rows: number;
  columns: number;
  photometricInterpretation: string;
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
}
interface DicomApi {
  readDicom(file: string): Promise<DicomImageLike>;
  decodeFrame(image: DicomImageLike, frame?: number, options?: { decoder?: string }): Promise<unknown>;
  toOriginalInt16(frame: unknown): Int16Array;
}
interface PreprocessApi {
  minMaxScale255(raw: Int16Array, rows: number, cols: number, invert: boolean): Promise<Float32Array>;
  detectorInput(image: Float32Array, rows: number, cols: number, size?: number): Promise<{
    tensor: Float32Array; ratio: number; resizedHeight: number; resizedWidth: number; resized: Float32Array;
  }>;
  classifierInput(raw: Int16Array, rows: number, cols: number, box: Box, meta: WindowMetaLike): Promise<Uint8Array>;
}
interface WindowMetaLike {
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
  invert: boolean;
}
interface RoiApi {
  otsuRoi(resized: Uint8Array, h: number, w: number, ratio: number, rows: number, cols: number): Promise<{ box: Box; areaPct: number } | null>;
}

const dicomApi = (): DicomApi | string => libApi<DicomApi>('dicom', ['readDicom', 'decodeFrame', 'toOriginalInt16']);
const preprocessApi = (): PreprocessApi | string =>
  libApi<PreprocessApi>('preprocess', ['minMaxScale255', 'detectorInput', 'classifierInput']);
const roiApi = (): RoiApi | string => libApi<RoiApi>('roi', ['otsuRoi']);

export function sha256(a: ArrayBufferView): string {
  return crypto.createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

function writeOutput(job: BenchJob, id: string, a: ArrayBufferView): void {
  fs.mkdirSync(job.out_dir, { recursive: true });
  fs.writeFileSync(path.join(job.out_dir, `${id.replace(/\//g, '_')}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

interface Decoded {
  raw: Int16Array;
  rows: number;
  cols: number;
  meta: WindowMetaLike;
}

async function decode(d: DicomApi, file: string): Promise<Decoded> {
  const image = await d.readDicom(file);
  const raw = d.toOriginalInt16(await d.decodeFrame(image, 0));
  return {
    raw,
    rows: image.rows,
    cols: image.columns,
    meta: {
      windowCenter: image.windowCenter,
      windowWidth: image.windowWidth,
      voiLutFunction: image.voiLutFunction,
      invert: image.photometricInterpretation === 'MONOCHROME1',
    },
  };
}

/** §2.6: the Otsu input is the resized detector image truncated to uint8. */
function truncU8(f: Float32Array): Uint8Array {
  const u = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) u[i] = f[i];
  return u;
}

async function otsuBox(p: PreprocessApi, r: RoiApi, d: Decoded): Promise<Box> {
  const det = await p.detectorInput(await p.minMaxScale255(d.raw, d.rows, d.cols, d.meta.invert), d.rows, d.cols);
  const roi = await r.otsuRoi(truncU8(det.resized), det.resizedHeight, det.resizedWidth, det.ratio, d.rows, d.cols);
  return roi ? roi.box : [0, 0, d.cols, d.rows]; // §2.7 full frame
}

/** Runs `fn` over `items` with at most `limit` in flight (the sweep's image-level parallelism). */
async function pool<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}

type Adapter = (job: BenchJob) => StageSetup | string;

const ADAPTERS: Record<StageName, Adapter> = {
  decode: (job) => {
    const d = dicomApi();
    if (typeof d === 'string') return d;
    return async (it) => ({
      run: async () => d.toOriginalInt16(await d.decodeFrame(await d.readDicom(it.dicom as string), 0)),
      output: (raw) => {
        const a = raw as Int16Array;
        return { sha256: sha256(a), length: a.length };
      },
    });
  },

  detector_input: (job) => {
    const d = dicomApi();
    const p = preprocessApi();
    const missing = firstMissing(d, p);
    if (missing) return missing;
    const [dd, pp] = [d as DicomApi, p as PreprocessApi];
    return async (it) => {
      const img = await decode(dd, it.dicom as string);
      return {
        run: async () => pp.detectorInput(await pp.minMaxScale255(img.raw, img.rows, img.cols, img.meta.invert), img.rows, img.cols),
        output: (res) => {
          const det = res as { tensor: Float32Array; resizedHeight: number; resizedWidth: number; ratio: number };
          const chan0 = det.tensor.subarray(0, 416 * 416);
          writeOutput(job, it.id, chan0);
          return { sha256: sha256(chan0), resized: [det.resizedHeight, det.resizedWidth], ratio: det.ratio };
        },
      };
    };
  },

  otsu_roi: () => {
    const d = dicomApi();
    const p = preprocessApi();
    const r = roiApi();
    const missing = firstMissing(d, p, r);
    if (missing) return missing;
    const [dd, pp, rr] = [d as DicomApi, p as PreprocessApi, r as RoiApi];
    return async (it) => {
      const img = await decode(dd, it.dicom as string);
      const det = await pp.detectorInput(await pp.minMaxScale255(img.raw, img.rows, img.cols, img.meta.invert), img.rows, img.cols);
      return {
        run: async () => rr.otsuRoi(truncU8(det.resized), det.resizedHeight, det.resizedWidth, det.ratio, img.rows, img.cols),
        output: (res) => {
          const roi = res as { box: Box; areaPct: number } | null;
          return { box: roi ? roi.box : null, area_pct: roi ? roi.areaPct : null };
        },
      };
    };
  },

  classifier_input: (job) => {
    const d = dicomApi();
    const p = preprocessApi();
    const r = roiApi();
    const missing = firstMissing(d, p, r);
    if (missing) return missing;
    const [dd, pp, rr] = [d as DicomApi, p as PreprocessApi, r as RoiApi];
    return async (it) => {
      const img = await decode(dd, it.dicom as string);
      const box = await otsuBox(pp, rr, img);
      return {
        run: async () => pp.classifierInput(img.raw, img.rows, img.cols, box, img.meta),
        output: (res) => {
          const u8 = res as Uint8Array;
          writeOutput(job, it.id, u8);
          return { sha256: sha256(u8), box };
        },
      };
    };
  },

  yolox: () => 'lib/models convertYolox + lib/runtime createSession are not wired into the bench yet',
  ensemble: () => 'lib/models convertClassifier + lib/runtime createSession are not wired into the bench yet',
  e2e: () => 'lib/pipeline createPipeline is not wired into the bench yet',

  sweep: () => {
    const d = dicomApi();
    const p = preprocessApi();
    const r = roiApi();
    const missing = firstMissing(d, p, r);
    if (missing) return missing;
    const [dd, pp, rr] = [d as DicomApi, p as PreprocessApi, r as RoiApi];
    const one = async (file: string): Promise<string> => {
      const img = await decode(dd, file);
      return sha256(await pp.classifierInput(img.raw, img.rows, img.cols, await otsuBox(pp, rr, img), img.meta));
    };
    return async (it) => ({
      run: () => pool(it.dicoms ?? [], it.workers ?? 1, one),
      output: (hashes) => ({ sha256: hashes }),
    });
  },
};

/** The adapter of `stage` for `job`, or why it is not available in this build. */
export function oursStage(job: BenchJob): StageSetup | string {
  return ADAPTERS[job.stage](job);
}

/** The synthetic ensemble input: uint8 grey (golden lowbias32 generator) replicated to 3 channels, as float32. */
export function ensembleInput(it: BenchItem): Float32Array {
  const h = it.height ?? 2048;
  const w = it.width ?? 1024;
  const grey = synthU8(h * w, it.seed ?? 0);
  const x = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) x.set(grey, c * h * w);
  return x;
}
