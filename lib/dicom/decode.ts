/**
 * decodeFrame: one frame of a DicomImage → its stored values (canonical form, lib/dicom/canonical.ts).
 * Native frames are read directly; compressed frames go to a compiled codec on the libuv pool
 * (native/dicom) or to an npm WASM codec in a worker thread (lib/dicom/wasm), and the result says
 * which decoder ran. Sizes are checked before anything is allocated.
 */
import { RsnaMammoError, fromNativeError, invalidArgument } from '../errors';
import { nativeCodecs, dicomAddon, NativeCodecName } from './addon';
import { canonicalize, readNativeSamples, StoredLayout, viewStored } from './canonical';
import { readSof } from './codestream';
import { encapsulatedFrameBytes, nativeFrameBytes } from './frames';
import { dicomLimits, limitError } from './limits';
import { acquirePixels } from './pixelBudget';
import { checkCodestream, j2kCodestreamOf } from './streamCheck';
import { CodecFamily, transferSyntax } from './transferSyntax';
import type { DecodedFrame, DecoderChoice, DicomImage, StoredPixels } from './types';
import { wasmPool } from './wasm/pool';
import type { WasmCodecName } from './wasm/protocol';

/** The hard cap of the native codecs; the configurable limit is maxFramePixels (lib/dicom/limits.ts). */
export const MAX_FRAME_PIXELS = 2 ** 28;

/**
 * Families whose native codecs are not safe on damaged input, so `auto` uses WASM for them (a WASM
 * fault is an exception in a worker, never a dead process): Debian's libopenjp2 2.5.0 is built with
 * assert() on and its HTJ2K decoder (ht_dec.c mel_init) aborts the process on some corrupt
 * codestreams, and OpenJPH 0.9.0 smashes its stack or fails an assert() on others (found by
 * test/dicom/fuzz.test.ts and a fuzz of its decoder alone) and differs from the reference on lossy HTJ2K. The WASM codec is libopenjp2 2.5.4: the reference
 * decoder, and it reports damaged HT code-blocks (ALGORITHMS.md §1.2.5).
 * `decoder: 'native'` still reaches them, for trusted files and the benchmark.
 */
const WASM_FIRST: ReadonlySet<CodecFamily> = new Set(['htj2k']);

const NATIVE_CODECS: Partial<Record<CodecFamily, NativeCodecName[]>> = {
  rle: ['rle'],
  // Grok (AGPL-3.0, source builds only; native/dicom/j2k_grok.cc) first when compiled in: the faster one.
  jpeg2000: ['grok', 'openjpeg'],
  htj2k: ['openjpeg', 'openjph'], // libopenjp2 first: the reference decoder of MANIFEST.json
  'jpeg-lossless': ['gdcm-jpeg'],
  'jpeg-baseline': ['gdcm-jpeg'],
  'jpeg-extended': ['gdcm-jpeg'],
  'jpeg-ls': ['charls'],
};

/** The WASM codec for a family; jpeg-baseline/extended only for 8-bit streams. */
function wasmCodecFor(family: CodecFamily, bytes: Uint8Array): WasmCodecName | undefined {
  switch (family) {
    case 'jpeg2000':
    case 'htj2k': return 'openjpeg'; // libopenjp2 decodes HTJ2K too, exactly (MANIFEST.json), and reports damage
    case 'jpeg-ls': return 'charls';
    case 'jpeg-lossless': return 'jpeg-lossless';
    case 'jpeg-baseline':
    case 'jpeg-extended': return (readSof(bytes)?.precision ?? 8) <= 8 ? 'libjpeg-turbo' : undefined;
    default: return undefined;
  }
}

function layoutOf(image: DicomImage): StoredLayout {
  return {
    rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel,
    bitsAllocated: image.bitsAllocated, bitsStored: image.bitsStored, pixelRepresentation: image.pixelRepresentation,
  };
}

function checkDecodable(image: DicomImage, frame: number): void {
  const file = image.file;
  const fail = (code: string, message: string): never => {
    throw new RsnaMammoError(code, message, { file });
  };
  if (!image.pixelData) fail('ERR_DICOM_NO_PIXEL_DATA', 'the file has no PixelData (7FE0,0010)');
  if (!Number.isInteger(frame) || frame < 0 || frame >= image.numberOfFrames) {
    throw invalidArgument('frame', `an integer frame index in 0..${image.numberOfFrames - 1}`, frame);
  }
  if (![8, 16, 32].includes(image.bitsAllocated)) fail('ERR_DICOM_UNSUPPORTED', `BitsAllocated ${image.bitsAllocated} is not supported (8, 16 or 32)`);
  if (image.bitsStored < 1 || image.bitsStored > image.bitsAllocated) fail('ERR_DICOM_HEADER', `BitsStored ${image.bitsStored} is outside 1..${image.bitsAllocated}`);
  if (image.samplesPerPixel !== 1 && image.samplesPerPixel !== 3) fail('ERR_DICOM_UNSUPPORTED', `SamplesPerPixel ${image.samplesPerPixel} is not supported (1 or 3)`);
  if (image.rows < 1 || image.columns < 1) fail('ERR_DICOM_HEADER', 'Rows and Columns must be positive');
  const pixels = image.rows * image.columns * image.samplesPerPixel;
  if (pixels > Math.min(MAX_FRAME_PIXELS, dicomLimits().maxFramePixels)) {
    if (pixels > MAX_FRAME_PIXELS) fail('ERR_DICOM_TOO_LARGE', `a ${image.columns}x${image.rows}x${image.samplesPerPixel} frame exceeds the hard limit of 2^28 samples`);
    throw limitError('ERR_DICOM_TOO_LARGE', 'maxFramePixels', `a ${image.columns}x${image.rows}x${image.samplesPerPixel} frame (${pixels} pixels)`, file);
  }
}

function decodeNative(image: DicomImage, frame: number, bigEndian: boolean): DecodedFrame {
  const bytes = nativeFrameBytes(image, image.pixelData!, frame);
  const values = readNativeSamples(bytes, image.bitsAllocated, bigEndian);
  const planar = image.samplesPerPixel > 1 && image.planarConfiguration === 1;
  const pixels = canonicalize(values, layoutOf(image), planar);
  return { pixels, rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel, decoder: 'native-uncompressed' };
}

/** The compiled codec `auto`/`native` use for a family (the first compiled one of NATIVE_CODECS), if any. */
export function nativeCodecFor(family: CodecFamily): NativeCodecName | undefined {
  return NATIVE_CODECS[family]?.find((c) => nativeCodecs().has(c));
}

/** A forced native codec (options.nativeCodec) must be compiled in and decode the family. */
function forcedCodec(family: CodecFamily, codec: NativeCodecName, file: string | undefined): NativeCodecName {
  if (!NATIVE_CODECS[family]?.includes(codec)) throw invalidArgument('options.nativeCodec', `one of ${NATIVE_CODECS[family]?.join(', ') || 'none'} for ${family}`, codec);
  if (!nativeCodecs().has(codec)) throw new RsnaMammoError('ERR_DICOM_DECODER_UNAVAILABLE', `the native codec ${codec} is not compiled into this build`, { file });
  return codec;
}

async function decodeCompressed(image: DicomImage, frame: number, family: CodecFamily, choice: DecoderChoice, threads: number,
  forced?: NativeCodecName): Promise<DecodedFrame> {
  const file = image.file;
  const bytes = encapsulatedFrameBytes(image, image.pixelData!, frame);
  // The codestream's own header and structure before any decoder allocates (lib/dicom/streamCheck.ts).
  checkCodestream(family, bytes, image, file);
  const layout = layoutOf(image);
  const done = (pixels: StoredPixels, decoder: string): DecodedFrame => ({ pixels, rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel, decoder });
  const native = forced ? forcedCodec(family, forced, file) : choice === 'wasm' ? undefined : nativeCodecFor(family);
  const wasm = choice === 'native' ? undefined : wasmCodecFor(family, bytes);
  let nativeFailure: RsnaMammoError | undefined;
  if (native && !(choice === 'auto' && wasm && WASM_FIRST.has(family))) {
    const spec = { ...layout, isSigned: image.pixelRepresentation === 1, threads };
    try {
      const r = await dicomAddon().dicomDecodeFrame(native, bytes, spec);
      return done(viewStored(layout, r.pixels), r.decoder);
    } catch (err) {
      nativeFailure = fromNativeError(err, file);
      // A structurally whole stream one codec refuses goes to the next one (auto only); size/limit errors do not.
      if (choice !== 'auto' || !wasm || nativeFailure.code !== 'ERR_DICOM_DECODE') throw nativeFailure;
    }
  }
  if (!wasm) {
    const which = choice === 'auto' ? 'native or WASM' : choice;
    throw new RsnaMammoError('ERR_DICOM_DECODER_UNAVAILABLE', `no ${which} decoder for ${transferSyntax(image.transferSyntaxUID)?.name ?? image.transferSyntaxUID} is available`, { file });
  }
  const stream = wasm === 'openjpeg' ? j2kCodestreamOf(bytes) : bytes;
  try {
    const r = await wasmPool().run(wasm, stream, layout);
    // Say which decoder succeeded after which one failed.
    return done(viewStored(layout, r.pixels), nativeFailure ? `${r.decoder} (after ${native}: ${nativeFailure.message.replace(`${file}: `, '')})` : r.decoder);
  } catch (err) {
    const said = fromNativeError(err, file); // the pool's errors do not know the file: name it
    const wasmFailure = said.file ? said : new RsnaMammoError(said.code, said.message, { file, cause: err });
    if (nativeFailure) {
      throw new RsnaMammoError(wasmFailure.code, `every decoder failed: ${native}: ${nativeFailure.message.replace(`${file}: `, '')}; ${wasm}: ${wasmFailure.message.replace(`${file}: `, '')}`, { file, cause: err });
    }
    throw wasmFailure;
  }
}

/**
 * Decodes one frame to its DICOM stored values.
 * @param image a parsed image (parseDicom/readDicom)
 * @param frame frame index, default 0
 * @param options.decoder 'auto' (native codec when compiled in, else WASM; HTJ2K: WASM first, see
 *   WASM_FIRST), 'native' or 'wasm'
 * @param options.threads codec threads for libopenjp2 / Grok (0: automatic; Grok's pool is sized once per process)
 * @param options.nativeCodec this compiled codec and no other (tests and the benchmark compare decoders)
 * @returns the frame, samples interleaved, natural dtype; `decoder` names the codec that ran
 * @throws RsnaMammoError ERR_DICOM_* (unsupported syntax, truncated data, corrupt codestream, …)
 * @example const frame = await decodeFrame(await readDicom('a.dcm'));
 */
export async function decodeFrame(image: DicomImage, frame = 0, options: { decoder?: DecoderChoice; threads?: number; nativeCodec?: NativeCodecName } = {}): Promise<DecodedFrame> {
  if (!image || typeof image !== 'object' || typeof image.transferSyntaxUID !== 'string') throw invalidArgument('image', 'a DicomImage', image);
  const choice = options.decoder ?? 'auto';
  if (!['auto', 'native', 'wasm'].includes(choice)) throw invalidArgument('options.decoder', "'auto', 'native' or 'wasm'", choice);
  const threads = options.threads ?? 0;
  if (!Number.isInteger(threads) || threads < 0 || threads > 256) throw invalidArgument('options.threads', 'an integer in 0..256', threads);
  checkDecodable(image, frame);
  const syntax = transferSyntax(image.transferSyntaxUID);
  if (!syntax) {
    throw new RsnaMammoError('ERR_DICOM_UNSUPPORTED_SYNTAX', `transfer syntax ${image.transferSyntaxUID} is not supported`, { file: image.file });
  }
  if (syntax.family === 'uncompressed') {
    if (image.pixelData!.fragments) throw new RsnaMammoError('ERR_DICOM_HEADER', 'native transfer syntax with encapsulated pixel data', { file: image.file });
    return decodeNative(image, frame, Boolean(syntax.bigEndian));
  }
  if (!image.pixelData!.fragments) throw new RsnaMammoError('ERR_DICOM_HEADER', 'compressed transfer syntax without encapsulated pixel data', { file: image.file });
  const release = await acquirePixels(image.rows * image.columns * image.samplesPerPixel, image.file);
  try {
    return await decodeCompressed(image, frame, syntax.family, options.nativeCodec ? 'native' : choice, threads, options.nativeCodec);
  } finally {
    release();
  }
}

/**
 * The frame as numpy `astype(int16)` would give it (ALGORITHMS.md §1.2.3): values ≥ 32768 wrap.
 * For 16-bit frames the result is a view sharing memory with `frame.pixels` (no copy).
 * @param frame a decoded frame
 */
export function toOriginalInt16(frame: DecodedFrame): Int16Array {
  const px = frame.pixels;
  if (px instanceof Int16Array) return px;
  // uint16 → int16 modulo 2^16 keeps the bit pattern: a view, not a 5-megapixel copy on the JS thread.
  if (px instanceof Uint16Array) return new Int16Array(px.buffer, px.byteOffset, px.length);
  const out = new Int16Array(px.length);
  out.set(px); // typed-array conversion is modulo 2^16, like numpy's astype
  return out;
}
