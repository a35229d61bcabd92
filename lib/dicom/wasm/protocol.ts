/** Messages between lib/dicom/wasm/pool.ts and its workers (lib/dicom/wasm/worker.ts). */
import type { StoredLayout } from '../canonical';
import type { StandardRenderOptions } from '../standardRender';
import type { DecodedFrame, DicomImage } from '../types';

/** The npm WASM/JS codecs rsna-mammo can run. */
export type WasmCodecName = 'openjpeg' | 'charls' | 'libjpeg-turbo' | 'jpeg-lossless';

/** The DicomImage fields `standard` rendering reads (plain data, structured-cloneable). */
export type RenderFacts = Pick<DicomImage, 'file' | 'photometricInterpretation' | 'presentationLutShape' | 'rescaleSlope' | 'rescaleIntercept' |
  'modalityLut' | 'voiLuts' | 'windowCenter' | 'windowWidth' | 'voiLutFunction'>;

export type WasmJob =
  | { id: number; kind: 'decode'; codec: WasmCodecName; bytes: Uint8Array; layout: StoredLayout }
  | { id: number; kind: 'render'; frame: DecodedFrame; image: RenderFacts; options: StandardRenderOptions };

export type WasmReply =
  | { id: number; ok: true; pixels: ArrayBuffer; decoder: string }
  | { id: number; ok: false; code: string; message: string };
