/** Messages between lib/dicom/wasm/pool.ts and its workers (lib/dicom/wasm/worker.ts). */
import type { StoredLayout } from '../canonical';

/** The npm WASM/JS codecs rsna-mammo can run. */
export type WasmCodecName = 'openjpeg' | 'openjph' | 'charls' | 'libjpeg-turbo' | 'jpeg-lossless';

export interface WasmJob {
  id: number;
  codec: WasmCodecName;
  bytes: Uint8Array;
  layout: StoredLayout;
}

export type WasmReply =
  | { id: number; ok: true; pixels: ArrayBuffer; decoder: string }
  | { id: number; ok: false; code: string; message: string };
