/**
 * The typed faces of a DICOM image: DicomImage (parsed header, pixel data located but not decoded)
 * and DecodedFrame (one frame's stored values). Field names follow the DICOM attribute keywords.
 */

/** A Modality or VOI LUT (PS3.3 C.11.1 / C.11.2): `data[i]` maps input `firstValueMapped + i`. */
export interface Lut {
  /** Input value mapped by `data[0]` (signed when the pixel data are). */
  firstValueMapped: number;
  /** Bits per LUT entry (LUTDescriptor[2]). */
  bitsPerEntry: number;
  data: Uint16Array;
  explanation?: string;
}

/** Where the (not yet decoded) pixel data sit in the file's bytes. */
export interface PixelDataLocation {
  /** The dataset bytes (the inflated dataset for Deflated Explicit VR Little Endian). */
  bytes: Uint8Array;
  /** Native pixel data: byte offset and length of the PixelData value. */
  offset: number;
  length: number;
  /** Encapsulated pixel data: absolute positions of the fragments (items after the offset table). */
  fragments?: { position: number; length: number }[];
  /** Encapsulated pixel data: Basic Offset Table (offsets relative to the first fragment item). */
  basicOffsetTable?: number[];
}

/** A parsed DICOM image (PS3.3 C.7.6.3 Image Pixel module and friends). */
export interface DicomImage {
  file?: string;
  transferSyntaxUID: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  photometricInterpretation: string;
  planarConfiguration: number;
  /** Every WindowCenter value; empty when WindowCenter or WindowWidth is absent (ALGORITHMS.md §1.3.1). */
  windowCenter: number[];
  windowWidth: number[];
  windowExplanation: string[];
  /** Raw VOILUTFunction value; undefined when absent. */
  voiLutFunction?: string;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  rescaleType?: string;
  presentationLutShape?: string;
  pixelPaddingValue?: number;
  pixelIntensityRelationship?: string;
  /** VOI LUT Sequence items with data (empty items are ignored). */
  voiLuts: Lut[];
  /** Modality LUT Sequence (first item with data). */
  modalityLut?: Lut;
  sopClassUID?: string;
  modality?: string;
  manufacturer?: string;
  patientId?: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  imageLaterality?: string;
  laterality?: string;
  viewPosition?: string;
  patientAge?: string;
  /** Where the pixel data are; undefined when the file has none. */
  pixelData?: PixelDataLocation;
  /** Keyword (pydicom spelling) → value of every top-level element, for the datasets' `__` columns. */
  attributes(): Record<string, string | number | number[] | undefined>;
}

/** Typed arrays a frame's stored values come in (natural dtype of BitsAllocated/PixelRepresentation). */
export type StoredPixels = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** One decoded frame: the DICOM stored values, samples interleaved (MANIFEST.json canonical rule). */
export interface DecodedFrame {
  pixels: StoredPixels;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** Which decoder produced the values, e.g. `openjpeg-2.5.0` or `wasm-openjpeg`. */
  decoder: string;
}

/** Which decoder decodeFrame uses: compiled codecs, npm WASM codecs, or native when available. */
export type DecoderChoice = 'auto' | 'native' | 'wasm';
