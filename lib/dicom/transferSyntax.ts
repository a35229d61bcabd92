/**
 * The transfer syntaxes rsna-mammo reads, and which codec family decodes each (DICOM PS3.5 §10,
 * Annex A). Native decode routes a family to a compiled codec (native/dicom), WASM decode to an npm
 * codec (lib/dicom/wasm).
 */

/** How the pixel data of a transfer syntax is encoded. */
export type CodecFamily = 'uncompressed' | 'rle' | 'jpeg2000' | 'htj2k' | 'jpeg-lossless' | 'jpeg-baseline' | 'jpeg-extended' | 'jpeg-ls';

export interface TransferSyntax {
  uid: string;
  name: string;
  family: CodecFamily;
  /** Explicit VR Big Endian: native pixel data is byte-swapped. */
  bigEndian?: boolean;
}

const TABLE: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', family: 'uncompressed' },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', family: 'uncompressed' },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', family: 'uncompressed' },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', family: 'uncompressed', bigEndian: true },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', family: 'rle' },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', family: 'jpeg-baseline' },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', family: 'jpeg-extended' },
  // Retired (PS3.5 2006): extended/progressive processes GDCM still decodes; the IJG forks read any SOF.
  { uid: '1.2.840.10008.1.2.4.53', name: 'JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (Retired)', family: 'jpeg-extended' },
  { uid: '1.2.840.10008.1.2.4.55', name: 'JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (Retired)', family: 'jpeg-extended' },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)', family: 'jpeg-lossless' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)', family: 'jpeg-lossless' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', family: 'jpeg-ls' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Lossy (Near-Lossless)', family: 'jpeg-ls' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Image Compression (Lossless Only)', family: 'jpeg2000' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000 Image Compression', family: 'jpeg2000' },
  { uid: '1.2.840.10008.1.2.4.201', name: 'High-Throughput JPEG 2000 (Lossless Only)', family: 'htj2k' },
  { uid: '1.2.840.10008.1.2.4.202', name: 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', family: 'htj2k' },
  { uid: '1.2.840.10008.1.2.4.203', name: 'High-Throughput JPEG 2000', family: 'htj2k' },
];

const BY_UID = new Map(TABLE.map((t) => [t.uid, t]));

/** The transfer syntax with `uid`, or undefined when rsna-mammo cannot decode it. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/** Every transfer syntax rsna-mammo decodes. */
export function supportedTransferSyntaxes(): readonly TransferSyntax[] {
  return TABLE;
}
