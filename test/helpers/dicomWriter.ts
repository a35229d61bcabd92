/** Synthetic DICOM files for tests: the package's writer (lib/reproduce/dicomWriter.ts). */
export * from '../../lib/reproduce/dicomWriter';
