/** 8-bit display windowing for `rsna-mammo dicom render` (ALGORITHMS.md §1.4–§1.7 and DICOM PS3.3 C.11). */
import { invalidArgument } from '../errors';
import { imgprocAddon } from './addon';
import { checkImage, checkType, native, windowFromMeta } from './validate';

/** Image tags windowToUint8 reads. */
export interface DisplayImageTags {
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
  photometricInterpretation: string;
  rescaleSlope?: number;
  rescaleIntercept?: number;
}

/**
 * Windows a decoded frame to uint8.
 * - `original`: parity with the winning pipeline — values cast to int16 as `astype(np.int16)`
 *   (Float32Array is windowed as is), window `windowIndex` (default 0) with the §1.4 float32 formulas
 *   or min-max×255 (§1.5) without window tags, MONOCHROME1 inverted as 255 − y, truncated (§1.7.1).
 *   No rescale.
 * - `standard`: DICOM PS3.3 in double — modality rescale (slope/intercept), VOI window C.11.2.1.2
 *   (LINEAR, LINEAR_EXACT, SIGMOID; full-range min-max without a window), MONOCHROME1 inversion,
 *   scaled as floor(y·255) like DCMTK dcm2pnm. (VOI LUT sequences are the DICOM reader's addition on top.)
 * @param pixels stored values, rows x cols
 * @param rows image height
 * @param cols image width
 * @param params mode, optional windowIndex and the image tags
 * @returns rows x cols uint8
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT (unknown VOI function, bad index), ERR_WINDOW (width ≤ 0)
 * @example const u8 = await windowToUint8(px, 2776, 2082, { mode: 'original', image: tags });
 */
export async function windowToUint8(pixels: Int16Array | Uint16Array | Int32Array | Float32Array, rows: number, cols: number,
  params: { mode: 'original' | 'standard'; windowIndex?: number; image: DisplayImageTags }): Promise<Uint8Array> {
  checkType(pixels, 'pixels', [Int16Array, Uint16Array, Int32Array, Float32Array]);
  checkImage(pixels, rows, cols);
  if (params?.mode !== 'original' && params?.mode !== 'standard') throw invalidArgument('params.mode', "'original' or 'standard'", params?.mode);
  const tags = params.image;
  if (!tags || typeof tags.photometricInterpretation !== 'string') {
    throw invalidArgument('params.image.photometricInterpretation', 'a string', tags?.photometricInterpretation);
  }
  const window = windowFromMeta({ windowCenter: tags.windowCenter ?? [], windowWidth: tags.windowWidth ?? [],
    voiLutFunction: tags.voiLutFunction || undefined, invert: false }, false, params.windowIndex ?? 0, params.mode === 'original');
  const standard = params.mode === 'standard';
  const slope = standard && Number.isFinite(tags.rescaleSlope) ? (tags.rescaleSlope as number) : 1;
  const intercept = standard && Number.isFinite(tags.rescaleIntercept) ? (tags.rescaleIntercept as number) : 0;
  const invert = params.mode === 'original' ? tags.photometricInterpretation === 'MONOCHROME1'
    : tags.photometricInterpretation.trim() === 'MONOCHROME1';
  return native(() => imgprocAddon().imgprocWindowToUint8(pixels, rows, cols, { ...window, standard, invert, slope, intercept }));
}
