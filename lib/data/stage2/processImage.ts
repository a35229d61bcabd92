/**
 * Stage 2 of one image (ALGORITHMS.md §7.7): decode → breast ROI → crop → window/normalize → 8-bit,
 * through the same functions as the classifier-input path (lib/dicom, lib/roi, lib/preprocess).
 */
import { decodeImage } from '../../image';
import { detectRoi, detectRoiFromScaled } from '../../roi';
import type { DetectRoiOptions, RoiResult } from '../../roi';
import { percentileMinMaxScale, windowedCropUint8 } from '../../preprocess';
import { GrayImage, readGrayPng, writeGrayPng } from '../imageFiles';
import { readJpegGray } from './jpegGray';
import { RsnaMammoError } from '../../errors';

/** How a dataset's stage1 images are read (§7.7.1–7.7.3). */
export type Stage2Kind = 'dicom' | 'png16' | 'jpeg8';

/** The stage-2 result of one image: the 8-bit crop and the ROI that produced it. */
export interface Stage2Image {
  image: GrayImage;
  roi: RoiResult;
}

/** §7.7.1: int16 stored values, detector on min-max×255 (inverted if MONOCHROME1), windowed native-size crop. */
async function fromDicom(file: string, roiOptions: DetectRoiOptions): Promise<Stage2Image> {
  const { pixels, height, width, invert, window } = await decodeImage(file);
  const roi = await detectRoi(pixels, height, width, invert, roiOptions);
  const crop = await windowedCropUint8(pixels, height, width, roi.box, window);
  return { image: { width: crop.cols, height: crop.rows, data: crop.pixels }, roi };
}

/** trunc(percentile_min_max(crop) · 255) of the cropped image (§7.7.2–7.7.3). */
async function percentileCropU8(pixels: Uint16Array | Uint8Array, width: number, roi: RoiResult): Promise<GrayImage> {
  const [x0, y0, x1, y1] = roi.box;
  const w = x1 - x0;
  const h = y1 - y0;
  const crop = pixels instanceof Uint16Array ? new Uint16Array(w * h) : new Uint8Array(w * h);
  for (let y = 0; y < h; y++) crop.set(pixels.subarray((y0 + y) * width + x0, (y0 + y) * width + x1), y * w);
  const r = await percentileMinMaxScale(crop, h, w);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = Math.trunc(r[i] * 255);
  return { width: w, height: h, data: out };
}

/**
 * §7.7.2 MiniDDSM: 16-bit PNG; detector input = percentile_min_max×255 of the full image (float64 in
 * the original, float32 here), crop of the ORIGINAL uint16 image.
 */
async function fromPng16(file: string, roiOptions: DetectRoiOptions): Promise<Stage2Image> {
  const img = readGrayPng(file);
  if (!(img.data instanceof Uint16Array)) throw new RsnaMammoError('ERR_IMAGE_DEPTH', 'expected a 16-bit PNG (the original asserts uint16)', { file });
  const scaled = await percentileMinMaxScale(img.data, img.height, img.width);
  const detectorImage = Float32Array.from(scaled, (v) => v * 255);
  const roi = await detectRoiFromScaled(detectorImage, img.height, img.width, roiOptions);
  return { image: await percentileCropU8(img.data, img.width, roi), roi };
}

/** §7.7.3 CDD-CESM: 8-bit JPEG read as gray; detector input = raw values; crop of the uint8 image. */
async function fromJpeg8(file: string, roiOptions: DetectRoiOptions): Promise<Stage2Image> {
  const img = await readJpegGray(file);
  const roi = await detectRoiFromScaled(Float32Array.from(img.data), img.height, img.width, roiOptions);
  return { image: await percentileCropU8(img.data, img.width, roi), roi };
}

/** Produces the stage-2 image of one stage1 file. */
export async function stage2Image(kind: Stage2Kind, file: string, roiOptions: DetectRoiOptions = {}): Promise<Stage2Image> {
  if (kind === 'dicom') return fromDicom(file, roiOptions);
  if (kind === 'png16') return fromPng16(file, roiOptions);
  return fromJpeg8(file, roiOptions);
}

/** Produces and writes (atomically) one cleaned image; returns the ROI used. */
export async function writeStage2Image(kind: Stage2Kind, src: string, dst: string, roiOptions: DetectRoiOptions = {}): Promise<RoiResult> {
  const { image, roi } = await stage2Image(kind, src, roiOptions);
  writeGrayPng(dst, image);
  return roi;
}
