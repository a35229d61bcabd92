/**
 * 8-bit image files written by the dataset preparation: single-channel PNG (OpenCV `imwrite` of a
 * uint8 array, ALGORITHMS.md §1.7.2) and the 3-channel JPEG q95 of the COCO conversion (§7.8.3).
 * Writes are atomic (temp file + rename) so an interrupted run never leaves a partial image.
 */
import fs from 'fs';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { writeFileAtomic } from './csv';
import { RsnaMammoError } from '../errors';

/** A grayscale image, row-major. */
export interface GrayImage<T extends Uint8Array | Uint16Array = Uint8Array> {
  width: number;
  height: number;
  data: T;
}

/** Writes a single-channel 8-bit PNG atomically. */
export function writeGrayPng(file: string, image: GrayImage): void {
  const png = encodePng({ width: image.width, height: image.height, data: image.data, channels: 1, depth: 8 });
  writeFileAtomic(file, png);
}

/**
 * Reads a PNG as grayscale (8 or 16 bit; for RGB the first channel, as OpenCV's grayscale of identical
 * channels). MiniDDSM's 16-bit PNGs come back as Uint16Array (IMREAD_ANYDEPTH, §7.7.2).
 */
export function readGrayPng(file: string): GrayImage<Uint8Array | Uint16Array> {
  let img;
  try {
    img = decodePng(fs.readFileSync(file));
  } catch (err) {
    throw new RsnaMammoError('ERR_PNG_READ', `cannot decode PNG: ${(err as Error).message}`, { file, cause: err });
  }
  const { width, height, channels } = img;
  const src = img.data as Uint8Array | Uint16Array;
  if (channels === 1) return { width, height, data: src };
  const out = src instanceof Uint16Array ? new Uint16Array(width * height) : new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) out[i] = src[i * channels];
  return { width, height, data: out };
}

/** Width and height from a PNG's IHDR chunk, without decoding the pixels. */
export function readPngSize(file: string): { width: number; height: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(24);
    fs.readSync(fd, head, 0, 24, 0);
    if (head.readUInt32BE(0) !== 0x89504e47 || head.toString('latin1', 12, 16) !== 'IHDR') {
      throw new RsnaMammoError('ERR_PNG_READ', 'not a PNG file', { file });
    }
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes a grayscale image as a 3-channel baseline JPEG (identical channels), quality 95 like OpenCV's
 * default. NOTE: encoded by jpeg-js, not libjpeg: same quality setting, not byte-identical to OpenCV.
 */
export function writeJpegFromGray(file: string, image: GrayImage, quality = 95): void {
  const rgba = Buffer.alloc(image.width * image.height * 4);
  for (let i = 0; i < image.width * image.height; i++) {
    const v = image.data[i];
    rgba[i * 4] = v;
    rgba[i * 4 + 1] = v;
    rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  const out = jpeg.encode({ data: rgba, width: image.width, height: image.height }, quality);
  writeFileAtomic(file, out.data);
}
