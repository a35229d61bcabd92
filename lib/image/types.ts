/** The decoded image every consumer starts from (predict, the CLI commands, dataset preparation). */
import type { StoredPixels } from '../dicom';

/** Box [x0, y0, x1, y1] in full-resolution pixels, end-exclusive: the crop is pixels[y0:y1, x0:x1] (ALGORITHMS.md §2.8). */
export type Box = [x0: number, y0: number, x1: number, y1: number];

/** A small 8-bit grey picture for reports (thumbnail of the full image or of the classifier input). */
export interface GreyPicture {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Window tags of one image (ALGORITHMS.md §1.3): all values of WindowCenter/WindowWidth, VOILUTFunction, MONOCHROME1. */
export interface WindowMeta {
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
  invert: boolean;
}

/** Header facts the pipeline reports and groups by. */
export interface MammoImageMeta {
  photometricInterpretation?: string;
  patientId?: string;
  /** ImageLaterality (0020,0062), else Laterality (0020,0060): 'L' | 'R'. */
  laterality?: string;
  viewPosition?: string;
}

/** Frame 0 of one single-sample DICOM, decoded, with what every later stage needs. */
export interface MammoImage {
  /** The path, or the key of a DICOM given as bytes; errors name it. */
  file: string;
  /** Stored values cast to int16 as the original's `astype(np.int16)` (§1.2.3), row-major height × width. */
  pixels: Int16Array;
  /** The decoder's stored values in their own type (the YOLOX dataset min-maxes these, §7.8.2). */
  stored: StoredPixels;
  height: number;
  width: number;
  /** PhotometricInterpretation === 'MONOCHROME1' (exact compare, §1.3.4). */
  invert: boolean;
  /** The window settings (§1.3), built in one place: {@link windowMetaOf}. */
  window: WindowMeta;
  /** Which decoder produced the stored values, e.g. 'openjpeg-2.5.0', 'wasm-openjpeg', 'raw'. */
  decoder: string;
  meta: MammoImageMeta;
  /** Milliseconds spent reading (parse) and decoding. */
  timings: { readMs: number; decodeMs: number };
}
