/**
 * rsna-mammo's side of the pixel stages (decode, detector input, Otsu ROI, classifier input, sweep):
 * `setup` does the untimed work (decode, earlier stages), `run` is what is timed — the same cut as
 * the Python peer's stage functions (tools/peers/bench_peer.py).
 */
import {
  Adapter, Box, DicomApi, PreprocessApi, RoiApi, decode, dicomApi, otsuBox, pool, preprocessApi, roiApi, sha256, truncU8, writeOutput,
} from './common';
import { firstMissing } from '../api';
import { StageName } from '../types';

interface PixelApis {
  d: DicomApi;
  p: PreprocessApi;
  r: RoiApi;
}

/** lib/dicom + lib/preprocess (+ lib/roi when `withRoi`), or the first missing one's reason. */
function pixelApis(withRoi: boolean): PixelApis | string {
  const [d, p, r] = [dicomApi(), preprocessApi(), withRoi ? roiApi() : ({} as RoiApi)];
  return firstMissing(d, p, r) ?? { d: d as DicomApi, p: p as PreprocessApi, r: r as RoiApi };
}

export const PIXEL_ADAPTERS: Partial<Record<StageName, Adapter>> = {
  decode: (job) => {
    const d = dicomApi();
    if (typeof d === 'string') return d;
    return async (it) => ({
      // The codec gets the row's thread count (libopenjp2 would take every core of the machine otherwise).
      run: async () => d.toOriginalInt16(await d.decodeFrame(await d.readDicom(it.dicom as string), 0, { threads: job.threads, nativeCodec: job.native_codec })),
      output: (raw) => {
        const a = raw as Int16Array;
        return { sha256: sha256(a), length: a.length };
      },
    });
  },

  detector_input: (job) => {
    const apis = pixelApis(false);
    if (typeof apis === 'string') return apis;
    const { d: dd, p: pp } = apis;
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
    const apis = pixelApis(true);
    if (typeof apis === 'string') return apis;
    const { d: dd, p: pp, r: rr } = apis;
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
    const apis = pixelApis(true);
    if (typeof apis === 'string') return apis;
    const { d: dd, p: pp, r: rr } = apis;
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

  sweep: () => {
    const apis = pixelApis(true);
    if (typeof apis === 'string') return apis;
    const { d: dd, p: pp, r: rr } = apis;
    const one = async (file: string): Promise<string> => {
      const img = await decode(dd, file);
      return sha256(await pp.classifierInput(img.raw, img.rows, img.cols, await otsuBox(pp, rr, img), img.meta));
    };
    return async (it) => {
      const files = it.dicoms ?? [];
      if (files.length) await one(files[0]); // first-call costs outside the timing, as the peer
      return {
        run: () => pool(files, it.workers ?? 1, one),
        output: (hashes) => ({ sha256: hashes }),
      };
    };
  },
};

