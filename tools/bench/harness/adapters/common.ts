/**
 * What rsna-mammo's stage adapters share: the shapes of the lib functions they call (looked up at run
 * time, see ../api.ts), the decode step, output digests and files, and a small concurrency pool.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { libApi } from '../api';
import { synthU8 } from '../synthetic';
import { BenchItem, BenchJob } from '../types';

export interface StageRun {
  run(): Promise<unknown>;
  /** Digest of the last run's result; may write the output array to the job's out_dir. */
  output(result: unknown): Record<string, unknown>;
}

export type StageSetup = (item: BenchItem) => Promise<StageRun>;

export type Box = [number, number, number, number];

/** An adapter: the stage's setup for a job, or why it is not available in this build. */
export type Adapter = (job: BenchJob) => StageSetup | string;

export interface DicomImageLike {
  rows: number;
  columns: number;
  photometricInterpretation: string;
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
}
export interface DicomApi {
  readDicom(file: string): Promise<DicomImageLike>;
  decodeFrame(image: DicomImageLike, frame?: number, options?: { decoder?: string; threads?: number; nativeCodec?: string }): Promise<unknown>;
  toOriginalInt16(frame: unknown): Int16Array;
}
export interface PreprocessApi {
  minMaxScale255(raw: Int16Array, rows: number, cols: number, invert: boolean): Promise<Float32Array>;
  detectorInput(image: Float32Array, rows: number, cols: number, size?: number): Promise<{
    tensor: Float32Array; ratio: number; resizedHeight: number; resizedWidth: number; resized: Float32Array;
  }>;
  classifierInput(raw: Int16Array, rows: number, cols: number, box: Box, meta: WindowMetaLike): Promise<Uint8Array>;
}
export interface WindowMetaLike {
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
  invert: boolean;
}
export interface RoiApi {
  otsuRoi(resized: Uint8Array, h: number, w: number, ratio: number, rows: number, cols: number): Promise<{ box: Box; areaPct: number } | null>;
}

export const dicomApi = (): DicomApi | string => libApi<DicomApi>('dicom', ['readDicom', 'decodeFrame', 'toOriginalInt16']);
export const preprocessApi = (): PreprocessApi | string =>
  libApi<PreprocessApi>('preprocess', ['minMaxScale255', 'detectorInput', 'classifierInput']);
export const roiApi = (): RoiApi | string => libApi<RoiApi>('roi', ['otsuRoi']);

export function sha256(a: ArrayBufferView): string {
  return crypto.createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

export function writeOutput(job: BenchJob, id: string, a: ArrayBufferView): void {
  fs.mkdirSync(job.out_dir, { recursive: true });
  fs.writeFileSync(path.join(job.out_dir, `${id.replace(/\//g, '_')}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

export interface Decoded {
  raw: Int16Array;
  rows: number;
  cols: number;
  meta: WindowMetaLike;
}

export async function decode(d: DicomApi, file: string): Promise<Decoded> {
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

/** §2.6: the Otsu input is the resized detector image truncated to uint8 — done as lib/roi's detect does it. */
export function truncU8(f: Float32Array): Uint8Array {
  return Uint8Array.from(f);
}

export async function otsuBox(p: PreprocessApi, r: RoiApi, d: Decoded): Promise<Box> {
  const det = await p.detectorInput(await p.minMaxScale255(d.raw, d.rows, d.cols, d.meta.invert), d.rows, d.cols);
  const roi = await r.otsuRoi(truncU8(det.resized), det.resizedHeight, det.resizedWidth, det.ratio, d.rows, d.cols);
  return roi ? roi.box : [0, 0, d.cols, d.rows]; // §2.7 full frame
}

/** Runs `fn` over `items` with at most `limit` in flight (the sweep's image-level parallelism). */
export async function pool<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
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

/** The synthetic ensemble input: uint8 grey (golden lowbias32 generator) replicated to 3 channels, as float32. */
export function ensembleInput(it: BenchItem): Float32Array {
  const h = it.height ?? 2048;
  const w = it.width ?? 1024;
  const grey = synthU8(h * w, it.seed ?? 0);
  const x = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) x.set(grey, c * h * w);
  return x;
}
