/**
 * Structural checks of a frame's codestream against the DICOM header, run before any decoder (native
 * or WASM) allocates a pixel: the codestream's own size (JPEG SOF, JPEG-LS SOF55, J2K/HTJ2K SIZ) must
 * equal Rows × Columns × SamplesPerPixel; a JPEG stream must end with EOI and carry no data after it
 * (an EOI in the middle of the scan); a J2K codestream must hold every tile its SIZ promises with
 * tile-parts inside the data whose lengths end exactly at EOC (ALGORITHMS.md §1.2.5); a stream too
 * short to encode the frame at all is refused (a SOF height larger than the data). Decoders then
 * only see streams whose shape is known to be whole.
 */
import { RsnaMammoError } from '../errors';
import { isJp2, jp2Codestream } from './codestream';
import type { CodecFamily } from './transferSyntax';

export interface FrameShape { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number }

class StreamError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}
const bad = (message: string, code?: string): never => {
  throw new StreamError(message, code);
};

/** Bytes allowed after EOI/EOC: DICOM pads fragments to even length, some writers add a few more
 * (not always zeros); more than this is data the decoder never saw. */
const MAX_TRAILING = 16;

function onlyPadding(b: Uint8Array, from: number): boolean {
  return b.length - from <= MAX_TRAILING;
}

interface JpegWalk { sof?: { marker: number; precision: number; rows: number; columns: number; components: number }; scanBytes: number }

/** Walks a JPEG / JPEG-LS stream from SOI to EOI (segments and entropy-coded data). */
function walkJpeg(b: Uint8Array): JpegWalk {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) bad('no JPEG SOI marker at the start of the frame');
  let sof: JpegWalk['sof'];
  let scanBytes = 0;
  let p = 2;
  for (;;) {
    if (p + 2 > b.length) bad('the JPEG stream ends without an EOI marker (truncated)');
    if (b[p] !== 0xff) bad(`no JPEG marker at byte ${p}`);
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd9) {
      if (!onlyPadding(b, p + 2)) bad(`${b.length - p - 2} bytes follow the EOI marker at byte ${p} (an EOI in the middle of the data)`);
      if (!sof) bad('the JPEG stream has no frame header (SOF)');
      return { sof, scanBytes };
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2;
      continue;
    }
    if (p + 4 > b.length) bad('the JPEG stream ends inside a marker segment (truncated)');
    const length = (b[p + 2] << 8) | b[p + 3];
    if (length < 2 || p + 2 + length > b.length) bad(`marker segment FF${marker.toString(16).toUpperCase()} at byte ${p} has length ${length}, past the end of the data`);
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof && !sof) {
      if (length < 8) bad('the JPEG frame header (SOF) is too short');
      sof = { marker, precision: b[p + 4], rows: (b[p + 5] << 8) | b[p + 6], columns: (b[p + 7] << 8) | b[p + 8], components: b[p + 9] };
    }
    p += 2 + length;
    if (marker !== 0xda) continue;
    // Entropy-coded data: JPEG stuffs FF 00; JPEG-LS (SOF55) stuffs a 0 bit (FF then < 0x80).
    const ls = sof?.marker === 0xf7;
    const start = p;
    while (p < b.length) {
      if (b[p] !== 0xff) {
        p++;
        continue;
      }
      if (p + 1 >= b.length) break;
      const next = b[p + 1];
      if ((ls ? next < 0x80 : next === 0) || (next >= 0xd0 && next <= 0xd7)) {
        p += 2;
        continue;
      }
      break;
    }
    scanBytes += p - start;
  }
}

interface Siz { columns: number; rows: number; components: number; tiles: number }

/** Walks a J2K codestream: SIZ, main-header segments, then every tile-part by its Psot length. */
function walkJ2k(b: Uint8Array): Siz {
  const u16 = (p: number): number => (b[p] << 8) | b[p + 1];
  const u32 = (p: number): number => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  if (b.length < 4 || u16(0) !== 0xff4f) bad('no J2K SOC marker at the start of the codestream');
  if (b.length < 47 || u16(2) !== 0xff51) bad('the J2K codestream has no SIZ marker after SOC');
  const x1 = u32(8), y1 = u32(12), x0 = u32(16), y0 = u32(20), tw = u32(24), th = u32(28), tx0 = u32(32), ty0 = u32(36);
  if (x1 <= x0 || y1 <= y0 || tw === 0 || th === 0 || tx0 > x0 || ty0 > y0) bad('the J2K SIZ marker describes an empty or inconsistent image');
  const tiles = Math.ceil((x1 - tx0) / tw) * Math.ceil((y1 - ty0) / th);
  if (!Number.isSafeInteger(tiles) || tiles > 65535) bad(`the J2K SIZ marker describes ${tiles} tiles (at most 65535)`);
  const siz: Siz = { columns: x1 - x0, rows: y1 - y0, components: u16(40), tiles };
  let p = 4 + u16(4); // after SIZ (marker at 2, its length at 4)
  for (;;) { // main header up to the first SOT
    if (p + 4 > b.length) bad('the J2K main header ends before the first tile (truncated)');
    const marker = u16(p);
    if (marker === 0xff90) break;
    if ((marker & 0xff00) !== 0xff00) bad(`no J2K marker at byte ${p} of the main header`);
    const length = u16(p + 2);
    const name = marker === 0xff64 ? 'COM' : `FF${(marker & 0xff).toString(16).toUpperCase()}`;
    if (length < (marker === 0xff64 ? 4 : 2) || p + 2 + length > b.length) bad(`invalid ${name} marker segment at byte ${p} (length ${length}) in the J2K main header`);
    p += 2 + length;
  }
  const seen = new Set<number>();
  while (p + 2 <= b.length && u16(p) === 0xff90) {
    if (p + 12 > b.length) bad('the J2K codestream ends inside a tile-part header (truncated)');
    const tile = u16(p + 4), psot = u32(p + 6);
    if (tile >= tiles) bad(`tile-part for tile ${tile}, but SIZ describes ${tiles} tiles`);
    seen.add(tile);
    if (psot === 0) return checkTiles(siz, seen); // the last tile-part runs to EOC
    if (psot < 14 || p + psot > b.length) bad(`tile-part of tile ${tile} at byte ${p} claims ${psot} bytes, past the end of the data (truncated)`);
    p += psot;
  }
  // The tile-part lengths must land exactly on EOC (ISO 15444-1 A.4.4): bytes inserted into or
  // deleted from tile data move it, which decoders that stop at EOC do not all notice (§1.2.5).
  // Entropy-coded data never holds FF9x..FFFF (bit stuffing), so an EOC found elsewhere is real.
  const atEoc = p + 2 <= b.length && u16(p) === 0xffd9;
  if (atEoc && !onlyPadding(b, p + 2)) bad(`${b.length - p - 2} bytes follow the J2K EOC marker at byte ${p}`);
  if (!atEoc) {
    const eoc = lastEoc(b);
    if (eoc > p) bad(`the J2K tile-parts end at byte ${p}, ${eoc - p} bytes before the EOC marker (data inserted into a tile-part)`, 'ERR_DICOM_CORRUPT');
    if (eoc >= 0) bad(`the J2K EOC marker lies ${p - eoc} bytes inside the last tile-part (data deleted from a tile-part)`, 'ERR_DICOM_CORRUPT');
    // No EOC at all but tile-parts that end with the data: a writer that omits EOC; the decoders judge.
    if (!onlyPadding(b, p)) bad(`unexpected data at byte ${p} after the last J2K tile-part`);
  }
  return checkTiles(siz, seen);
}

/** Position of the EOC marker that ends `b` (only padding after it), or -1. */
function lastEoc(b: Uint8Array): number {
  for (let p = b.length - 2; p >= 0 && onlyPadding(b, p); p--) if (b[p] === 0xff && b[p + 1] === 0xd9) return p;
  return -1;
}

/** Whether a J2K codestream ends with EOC (then only padding). */
export function endsWithEoc(b: Uint8Array): boolean {
  return lastEoc(b) >= 0;
}

function checkTiles(siz: Siz, seen: ReadonlySet<number>): Siz {
  if (seen.size < siz.tiles) bad(`the J2K codestream holds ${seen.size} of its ${siz.tiles} tiles (missing tiles)`);
  return siz;
}

function checkRle(b: Uint8Array, f: FrameShape): void {
  if (b.length < 64) bad(`the RLE header needs 64 bytes, the frame has ${b.length}`);
  const segments = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  const expected = f.samplesPerPixel * (f.bitsAllocated / 8);
  if (segments !== expected) bad(`the RLE header lists ${segments} segments, expected ${expected}`);
  // PackBits expands 2 bytes into at most 128: a shorter stream cannot hold the frame.
  if ((b.length - 64) * 64 < f.rows * f.columns * expected) bad(`${b.length} bytes of RLE data cannot encode a ${f.columns}x${f.rows} frame`);
}

/** The J2K codestream of a frame (JP2 wrapper removed), as the codecs that take bare codestreams need. */
export function j2kCodestreamOf(bytes: Uint8Array): Uint8Array {
  if (!isJp2(bytes)) return bytes;
  return jp2Codestream(bytes) ?? bad('the JP2 file in the fragment has no codestream box');
}

/**
 * Checks a frame's codestream against the DICOM header before decoding.
 * @throws RsnaMammoError ERR_DICOM_DECODE naming the problem (and ERR_DICOM_TRUNCATED for cut streams)
 */
export function checkCodestream(family: CodecFamily, bytes: Uint8Array, f: FrameShape, file?: string): void {
  try {
    if (family === 'rle') return checkRle(bytes, f);
    let got: { rows: number; columns: number; components: number };
    if (family === 'jpeg2000' || family === 'htj2k') {
      got = walkJ2k(j2kCodestreamOf(bytes));
    } else if (family === 'uncompressed') {
      return;
    } else {
      const walk = walkJpeg(bytes);
      got = walk.sof!;
      const pixels = got.rows * got.columns * got.components;
      // Lossless Huffman codes are at least 1 bit per sample (ITU-T T.81 H.1.2.2).
      if (family === 'jpeg-lossless' && walk.scanBytes * 8 < pixels) {
        bad(`${walk.scanBytes} bytes of scan data cannot encode the ${got.columns}x${got.rows} frame the SOF declares`);
      }
    }
    if (got.rows !== f.rows || got.columns !== f.columns || got.components !== f.samplesPerPixel) {
      bad(`codestream is ${got.columns}x${got.rows} with ${got.components} components, the DICOM header says ${f.columns}x${f.rows} with ${f.samplesPerPixel}`);
    }
  } catch (err) {
    if (!(err instanceof StreamError)) throw err;
    const code = err.code ?? (/truncated/.test(err.message) ? 'ERR_DICOM_TRUNCATED' : 'ERR_DICOM_DECODE');
    throw new RsnaMammoError(code, err.message, { file });
  }
}
