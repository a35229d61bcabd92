/** lib/image: DICOM → MammoImage (int16 pixels, size, invert flag, window settings, header facts). */
export type { Box, GreyPicture, MammoImage, MammoImageMeta, WindowMeta } from './types';
export { decodeImage } from './decodeImage';
export type { DecodeImageOptions, ImageSource } from './decodeImage';
export { isInverted, windowMetaOf } from './window';
