/** The one place a DICOM header becomes window settings (ALGORITHMS.md §1.3). */
import type { DicomImage } from '../dicom';
import type { WindowMeta } from './types';

/** True for MONOCHROME1 (exact compare, as the original's `== 'MONOCHROME1'`, §1.3.4). */
export function isInverted(image: Pick<DicomImage, 'photometricInterpretation'>): boolean {
  return image.photometricInterpretation === 'MONOCHROME1';
}

/** Window tags and MONOCHROME1 flag of `image`, as the preprocessing kernels take them. */
export function windowMetaOf(image: Pick<DicomImage, 'windowCenter' | 'windowWidth' | 'voiLutFunction' | 'photometricInterpretation'>): WindowMeta {
  return {
    windowCenter: image.windowCenter,
    windowWidth: image.windowWidth,
    voiLutFunction: image.voiLutFunction,
    invert: isInverted(image),
  };
}
