/** The native/dicom functions of the CPU addon, typed (native/dicom/dicom_binding.cc). */
import { loadCpuAddon } from '../native';

/** What a native codec needs to know about the frame. */
export interface NativeFrameSpec {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  isSigned: boolean;
  /** Codec threads; 0 lets the codec choose (libopenjp2 uses up to 8 for frames ≥ 1 MP; Grok sizes its process-wide pool once, all cores). */
  threads: number;
}

export type NativeCodecName = 'rle' | 'openjpeg' | 'grok' | 'charls' | 'gdcm-jpeg' | 'openjph';

export interface DicomAddon {
  dicomCodecs(): NativeCodecName[];
  dicomDecodeFrame(codec: NativeCodecName, bytes: Uint8Array, spec: NativeFrameSpec): Promise<{ pixels: ArrayBuffer; decoder: string }>;
}

/** The CPU addon as seen by lib/dicom. */
export function dicomAddon(): DicomAddon {
  return loadCpuAddon() as unknown as DicomAddon;
}

let codecs: Set<NativeCodecName> | undefined;

/** Codecs compiled into the CPU addon (those whose libraries were found at build time, plus RLE). */
export function nativeCodecs(): Set<NativeCodecName> {
  if (!codecs) codecs = new Set(dicomAddon().dicomCodecs());
  return codecs;
}
