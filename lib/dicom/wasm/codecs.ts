/**
 * Runs one npm WASM/JS codec on one frame (inside a worker thread, see worker.ts): the
 * @cornerstonejs codecs (their fast `/wasmjs` builds) and jpeg-lossless-decoder-js. Output is the
 * canonical stored form (lib/dicom/canonical.ts). Header sizes are checked before decoding.
 */
import { canonicalize, StoredLayout } from '../canonical';
import { endsWithEoc } from '../streamCheck';
import { readSiz, readSof } from '../codestream';
import type { StoredPixels } from '../types';
import type { WasmCodecName } from './protocol';

interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean }
interface CornerstoneDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  getInterleaveMode?(): number;
  delete(): void;
}
type DecoderClass = new () => CornerstoneDecoder;

const ENTRY: Record<Exclude<WasmCodecName, 'jpeg-lossless'>, { module: string; cls: string }> = {
  openjpeg: { module: '@cornerstonejs/codec-openjpeg/wasmjs', cls: 'J2KDecoder' },
  charls: { module: '@cornerstonejs/codec-charls/wasmjs', cls: 'JpegLSDecoder' },
  'libjpeg-turbo': { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs', cls: 'JPEGDecoder' },
};

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/** What a codec printed (emscripten print/printErr) during the decode in progress: a decode is
 * synchronous inside one worker, so what arrives between reset and read is that decode's. */
interface Printed { reports: string[]; headerRead: boolean }
const printed = new Map<string, Printed>();
/** libopenjp2's `[INFO]` lines are progress (one per tile), not reports; this one says the main
 * header was read, so an error after it is about the data. */
const PROGRESS = /^\[INFO\]/;
const HEADER_READ = '[INFO] Main header has been correctly decoded.';
/** libopenjp2 2.5.4 prints this for every intact stream whose last tile-part has Psot = 0 (it reads
 * that tile-part through the EOC); it is no report when the stream does end with EOC (where the
 * other tile-parts end is checked against the EOC by lib/dicom/streamCheck.ts). */
const EOC_WARNING = '[WARNING] Stream does not end with EOC';

function loadModule(codec: keyof typeof ENTRY): Promise<Record<string, unknown>> {
  let m = loaded.get(codec);
  if (!m) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const factory = require(ENTRY[codec].module) as (o: object) => Promise<Record<string, unknown>>;
    const log: Printed = { reports: [], headerRead: false };
    printed.set(codec, log);
    const keep = (line: unknown): void => {
      const text = String(line).trim();
      if (text === HEADER_READ) log.headerRead = true;
      else if (text && !PROGRESS.test(text) && log.reports.length < 64) log.reports.push(text);
    };
    m = factory({ print: keep, printErr: keep });
    loaded.set(codec, m);
  }
  return m;
}

/**
 * The damage a codec reported while decoding (ALGORITHMS.md §1.2.5), as a CodecError, or undefined:
 * libopenjp2 prints `[ERROR]`/`[WARNING]` lines through its message handlers (the WASM build has no
 * strict mode, so damaged tile data is a printed error and a partial or empty image, never an
 * exception). After a main header that agrees with the DICOM header (checked before decoding) a
 * report is about the data: ERR_DICOM_CORRUPT, final like the native codecs' verdict.
 */
function reportedDamage(codec: string, log: Printed, bytes: Uint8Array): CodecError | undefined {
  const reports = endsWithEoc(bytes) ? log.reports.filter((l) => l !== EOC_WARNING) : log.reports;
  if (!reports.length) return undefined;
  const aboutData = codec !== 'openjpeg' || log.headerRead; // the other codecs throw on header errors
  return new CodecError(aboutData ? 'ERR_DICOM_CORRUPT' : 'ERR_DICOM_DECODE', `${codec}: ${reports.slice(0, 3).join('; ')}`);
}

export class CodecError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function checkSize(codec: string, got: { rows: number; columns: number; components: number } | undefined, layout: StoredLayout): void {
  if (!got) throw new CodecError('ERR_DICOM_DECODE', `${codec}: no readable frame header`);
  if (!got.rows && !got.columns) throw new CodecError('ERR_DICOM_DECODE', `${codec}: the decoder read no image from the codestream (a damaged or unsupported marker segment)`);
  if (got.rows !== layout.rows || got.columns !== layout.columns || got.components !== layout.samplesPerPixel) {
    throw new CodecError('ERR_DICOM_DECODE', `${codec}: codestream is ${got.columns}x${got.rows} with ${got.components} components, ` +
      `the DICOM header says ${layout.columns}x${layout.rows} with ${layout.samplesPerPixel}`);
  }
}

function typedView(bytes: Uint8Array, bits: number, signed: boolean): ArrayLike<number> {
  const copy = new Uint8Array(bytes); // out of the WASM heap before the decoder is freed
  if (bits <= 8) return signed ? new Int8Array(copy.buffer) : copy;
  return signed ? new Int16Array(copy.buffer, 0, copy.length >> 1) : new Uint16Array(copy.buffer, 0, copy.length >> 1);
}

async function decodeCornerstone(codec: keyof typeof ENTRY, bytes: Uint8Array, layout: StoredLayout): Promise<StoredPixels> {
  const module = await loadModule(codec);
  const Decoder = module[ENTRY[codec].cls] as DecoderClass;
  const decoder = new Decoder();
  const log = printed.get(codec)!;
  log.reports.length = 0;
  log.headerRead = false;
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const damage = reportedDamage(codec, log, bytes);
    if (damage) throw damage;
    const info = decoder.getFrameInfo();
    checkSize(codec, { rows: info.height, columns: info.width, components: info.componentCount }, layout);
    const values = typedView(decoder.getDecodedBuffer(), info.bitsPerSample, Boolean(info.isSigned));
    const planar = codec === 'charls' && info.componentCount > 1 && decoder.getInterleaveMode?.() === 0;
    if (values.length < layout.rows * layout.columns * layout.samplesPerPixel) throw new CodecError('ERR_DICOM_DECODE', `${codec}: short output`);
    return canonicalize(values, layout, planar);
  } catch (err) {
    loaded.delete(codec); // an aborted WASM instance is not reused
    if (err instanceof CodecError) throw err;
    const said = reportedDamage(codec, log, bytes)?.message;
    throw new CodecError('ERR_DICOM_DECODE', `${codec}: ${err instanceof Error ? err.message : `decode failed (${String(err)})`}${said ? ` (${said})` : ''}`);
  } finally {
    try {
      decoder.delete();
    } catch {
      /* instance already unusable */
    }
  }
}

function decodeJpegLossless(bytes: Uint8Array, layout: StoredLayout): StoredPixels {
  checkSize('jpeg-lossless', readSof(bytes), layout);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Decoder } = require('jpeg-lossless-decoder-js') as { Decoder: new () => { decode(b: ArrayBuffer, o: number, l: number): Uint8Array | Uint16Array } };
  try {
    const values = new Decoder().decode(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length);
    if (values.length < layout.rows * layout.columns * layout.samplesPerPixel) throw new Error('short output');
    return canonicalize(values, layout);
  } catch (err) {
    throw new CodecError('ERR_DICOM_DECODE', `jpeg-lossless: ${(err as Error).message ?? String(err)}`);
  }
}

/** Decodes one frame's codestream with `codec`; throws CodecError. */
export async function decodeWithWasm(codec: WasmCodecName, bytes: Uint8Array, layout: StoredLayout): Promise<StoredPixels> {
  if (codec === 'jpeg-lossless') return decodeJpegLossless(bytes, layout);
  if (codec === 'openjpeg') checkSize(codec, readSiz(bytes), layout);
  else checkSize(codec, readSof(bytes), layout);
  return decodeCornerstone(codec, bytes, layout);
}

/** The label DecodedFrame.decoder carries for a WASM codec. */
export function wasmDecoderName(codec: WasmCodecName): string {
  return codec === 'jpeg-lossless' ? 'js-jpeg-lossless' : `wasm-${codec}`;
}
