/** lib/dicom: read DICOM headers, decode frames to stored values, render 8-bit images. */
export type { DicomImage, DecodedFrame, DecoderChoice, Lut, PixelDataLocation, StoredPixels } from './types';
export { parseDicom, readDicom } from './parse';
export { decodeFrame, nativeCodecFor, toOriginalInt16, MAX_FRAME_PIXELS } from './decode';
export { frameSha256 } from './hash';
export { dicomLimits, setDicomLimits } from './limits';
export type { DicomLimits } from './limits';
export { transferSyntax, supportedTransferSyntaxes } from './transferSyntax';
export type { TransferSyntax, CodecFamily } from './transferSyntax';
export { nativeCodecs } from './addon';
export type { NativeCodecName } from './addon';
export { closeWasmPool } from './wasm/pool';
export { renderFrame } from './render';
export type { RenderMode, RenderOptions, RenderedImage } from './render';
export { renderStandard } from './standardRender';
export type { StandardRenderOptions } from './standardRender';
