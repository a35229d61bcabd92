/**
 * parseDicom / readDicom: a DICOM Part 10 file (or a bare implicit-VR dataset) → DicomImage, with
 * dicom-parser. The pixel data are located, not decoded (lib/dicom/decode.ts decodes them).
 * Every problem is an RsnaMammoError with an ERR_DICOM_* code naming the file.
 */
import zlib from 'zlib';
import * as dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { RsnaMammoError, invalidArgument } from '../errors';
import { datasetAttributes } from './attributes';
import { checkDatasetLimits, readFileMeta } from './elementScan';
import { hasDicomMagic, readDicomBytes } from './gate';
import type { DicomImage, Lut, PixelDataLocation } from './types';

/** Largest inflated dataset accepted for Deflated Explicit VR Little Endian (zip-bomb guard). */
const MAX_INFLATED_BYTES = 1 << 30;

function parseError(err: unknown): string {
  const e = (err && typeof err === 'object' && 'exception' in err ? (err as { exception: unknown }).exception : err) as unknown;
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^dicomParser\.\w+: /, '');
}

function inflaterFor(file: string | undefined): (byteArray: Uint8Array, position: number) => Uint8Array {
  return (byteArray, position) => {
    let inflated: Buffer;
    try {
      inflated = zlib.inflateRawSync(byteArray.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (err) {
      throw new Error(`the deflated dataset cannot be inflated (${(err as Error).message})`);
    }
    const full = Buffer.alloc(position + inflated.length);
    full.set(byteArray.subarray(0, position), 0);
    full.set(inflated, position);
    checkDatasetLimits(full, position, { explicit: true, little: true }, file);
    return full;
  };
}

/** Parses with the limits checked first; the File Meta transfer syntax is the one in force (a group 0002 repeated in the dataset does not override it). */
function runParser(bytes: Uint8Array, file: string | undefined): { ds: DataSet; transferSyntaxUID: string } {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!hasDicomMagic(buffer.subarray(0, 132))) {
    throw new RsnaMammoError('ERR_DICOM_NOT_DICOM', 'not a DICOM file (no "DICM" marker at byte 128)', { file });
  }
  const hasPreamble = buffer.length >= 132 && buffer.toString('latin1', 128, 132) === 'DICM';
  try {
    let transferSyntaxUID = '1.2.840.10008.1.2';
    if (hasPreamble) {
      const meta = readFileMeta(buffer);
      transferSyntaxUID = meta.transferSyntaxUID ?? transferSyntaxUID;
      const explicit = transferSyntaxUID !== '1.2.840.10008.1.2';
      const little = transferSyntaxUID !== '1.2.840.10008.1.2.2';
      // Deflated datasets are counted after inflation (inflaterFor).
      if (transferSyntaxUID !== '1.2.840.10008.1.2.1.99') checkDatasetLimits(buffer, meta.datasetStart, { explicit, little }, file, meta.elements);
    } else {
      checkDatasetLimits(buffer, 0, { explicit: false, little: true }, file);
    }
    const options: dicomParser.ParseDicomOptions = { inflater: inflaterFor(file) as unknown as dicomParser.ParseDicomOptions['inflater'] };
    if (!hasPreamble) options.TransferSyntaxUID = '1.2.840.10008.1.2';
    return { ds: dicomParser.parseDicom(buffer, options), transferSyntaxUID };
  } catch (err) {
    if (err instanceof RsnaMammoError) throw err;
    const text = parseError(err);
    if (err instanceof RangeError && /call stack/i.test(text)) {
      throw new RsnaMammoError('ERR_DICOM_TOO_DEEP', `the dataset nests too deeply to parse: ${text}`, { file, cause: err });
    }
    const truncated = /(beyond|past|overread|end of|eof|exceed|outside|buffer)/i.test(text);
    throw new RsnaMammoError(truncated ? 'ERR_DICOM_TRUNCATED' : 'ERR_DICOM_PARSE', `cannot parse the DICOM dataset: ${text}`, { file, cause: err });
  }
}

function stringOf(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el || !el.length) return undefined;
  const s = ds.string(tag);
  return s === undefined || s === '' ? undefined : s;
}

function numbersOf(ds: DataSet, tag: string): number[] {
  const el = ds.elements[tag];
  if (!el || !el.length) return [];
  const n = ds.numStringValues(tag) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(tag, i);
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

function numberOf(ds: DataSet, tag: string): number | undefined {
  return numbersOf(ds, tag)[0];
}

function uint16Of(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  return ds.uint16(tag);
}

function lutOf(item: DataSet, signedInput: boolean): Lut | undefined {
  const desc = item.elements.x00283002;
  const data = item.elements.x00283006;
  if (!desc || desc.length < 6 || !data || !data.length) return undefined; // empty items are "absent"
  const entries = item.uint16('x00283002', 0) || 65536;
  let first = item.uint16('x00283002', 1) ?? 0;
  const bits = item.uint16('x00283002', 2) ?? 16;
  if ((desc.vr === 'SS' || signedInput) && first >= 32768) first -= 65536;
  const lut = new Uint16Array(entries);
  if (data.length >= entries * 2) {
    for (let i = 0; i < entries; i++) lut[i] = item.byteArrayParser.readUint16(item.byteArray, data.dataOffset + 2 * i);
  } else if (data.length >= entries && bits <= 8) {
    for (let i = 0; i < entries; i++) lut[i] = item.byteArray[data.dataOffset + i];
  } else {
    return undefined;
  }
  return { firstValueMapped: first, bitsPerEntry: bits, data: lut, explanation: stringOf(item, 'x00283003') };
}

function lutsOf(ds: DataSet, tag: string, signedInput: boolean): Lut[] {
  const seq = ds.elements[tag];
  const out: Lut[] = [];
  for (const item of seq?.items ?? []) {
    const lut = item.dataSet ? lutOf(item.dataSet, signedInput) : undefined;
    if (lut) out.push(lut);
  }
  return out;
}

function pixelDataOf(ds: DataSet): PixelDataLocation | undefined {
  const el = ds.elements.x7fe00010;
  if (!el) return undefined;
  const bytes = ds.byteArray as Uint8Array;
  if (el.encapsulatedPixelData) {
    return {
      bytes,
      offset: el.dataOffset,
      length: el.length,
      fragments: (el.fragments ?? []).map((f) => ({ position: f.position, length: f.length })),
      basicOffsetTable: el.basicOffsetTable ?? [],
    };
  }
  const length = Math.max(0, Math.min(el.length, bytes.length - el.dataOffset));
  return { bytes, offset: el.dataOffset, length };
}

/**
 * Parses DICOM bytes into a DicomImage (header facts, every window, LUTs, located pixel data).
 * @param bytes the file's bytes
 * @param file the file name used in error messages
 * @returns the parsed image
 * @throws RsnaMammoError ERR_DICOM_NOT_DICOM | ERR_DICOM_PARSE | ERR_DICOM_TRUNCATED | ERR_DICOM_HEADER |
 *   ERR_DICOM_TOO_MANY_ELEMENTS | ERR_DICOM_TOO_DEEP (lib/dicom/limits.ts)
 * @example const image = parseDicom(fs.readFileSync('a.dcm'), 'a.dcm');
 */
export function parseDicom(bytes: Uint8Array, file?: string): DicomImage {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array or Buffer', bytes);
  const { ds, transferSyntaxUID } = runParser(bytes, file);
  try {
    return imageOf(ds, transferSyntaxUID, file);
  } catch (err) {
    // dicom-parser reads values lazily: a value that runs past the end of a damaged file throws here.
    if (err instanceof RsnaMammoError) throw err;
    throw new RsnaMammoError('ERR_DICOM_TRUNCATED', `cannot read a header value: ${parseError(err)}`, { file, cause: err });
  }
}

function imageOf(ds: DataSet, transferSyntaxUID: string, file: string | undefined): DicomImage {
  const header = (message: string): RsnaMammoError => new RsnaMammoError('ERR_DICOM_HEADER', message, { file });
  const rows = uint16Of(ds, 'x00280010') ?? 0;
  const columns = uint16Of(ds, 'x00280011') ?? 0;
  const bitsAllocated = uint16Of(ds, 'x00280100') ?? 0;
  const pixelData = pixelDataOf(ds);
  if (pixelData && (!rows || !columns || !bitsAllocated)) throw header('Rows, Columns or BitsAllocated is missing or zero');
  const bitsStored = uint16Of(ds, 'x00280101') ?? bitsAllocated;
  const pixelRepresentation = (uint16Of(ds, 'x00280103') ?? 0) === 1 ? 1 : 0;
  const frames = ds.elements.x00280008 ? ds.intString('x00280008') : undefined;
  const numberOfFrames = frames !== undefined && Number.isFinite(frames) && frames > 0 ? frames : 1;
  let windowCenter = numbersOf(ds, 'x00281050');
  let windowWidth = numbersOf(ds, 'x00281051');
  if (!windowCenter.length || !windowWidth.length) windowCenter = windowWidth = []; // ALGORITHMS.md §1.3.1
  const padding = ds.elements.x00280120;
  let pixelPaddingValue: number | undefined;
  if (padding && padding.length >= 2) pixelPaddingValue = pixelRepresentation || padding.vr === 'SS' ? ds.int16('x00280120') : ds.uint16('x00280120');
  const signed = pixelRepresentation === 1;
  const explanation = ds.elements.x00281055?.length ? (ds.string('x00281055') ?? '').split('\\') : [];
  const image: DicomImage = {
    file,
    transferSyntaxUID,
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel: uint16Of(ds, 'x00280002') ?? 1,
    bitsAllocated,
    bitsStored,
    highBit: uint16Of(ds, 'x00280102') ?? Math.max(0, bitsStored - 1),
    pixelRepresentation,
    photometricInterpretation: stringOf(ds, 'x00280004') ?? 'MONOCHROME2',
    planarConfiguration: uint16Of(ds, 'x00280006') ?? 0,
    windowCenter,
    windowWidth,
    windowExplanation: explanation,
    voiLutFunction: ds.elements.x00281056 ? ds.string('x00281056') ?? '' : undefined,
    rescaleSlope: numberOf(ds, 'x00281053'),
    rescaleIntercept: numberOf(ds, 'x00281052'),
    rescaleType: stringOf(ds, 'x00281054'),
    presentationLutShape: stringOf(ds, 'x20500020'),
    pixelPaddingValue,
    pixelIntensityRelationship: stringOf(ds, 'x00281040'),
    voiLuts: lutsOf(ds, 'x00283010', signed),
    modalityLut: lutsOf(ds, 'x00283000', signed)[0],
    sopClassUID: stringOf(ds, 'x00080016'),
    modality: stringOf(ds, 'x00080060'),
    manufacturer: stringOf(ds, 'x00080070'),
    patientId: stringOf(ds, 'x00100020'),
    studyInstanceUID: stringOf(ds, 'x0020000d'),
    seriesInstanceUID: stringOf(ds, 'x0020000e'),
    sopInstanceUID: stringOf(ds, 'x00080018'),
    imageLaterality: stringOf(ds, 'x00200062'),
    laterality: stringOf(ds, 'x00200060'),
    viewPosition: stringOf(ds, 'x00185101'),
    patientAge: stringOf(ds, 'x00101010'),
    pixelData,
    attributes: () => datasetAttributes(ds),
  };
  Object.defineProperty(image, 'attributes', { enumerable: false });
  Object.defineProperty(image, 'pixelData', { enumerable: false });
  return image;
}

/**
 * Reads and parses a DICOM file through the input gate (lib/dicom/gate.ts: regular files only,
 * maxFileBytes, the DICM magic read first).
 * @param file path of the .dcm file
 * @throws RsnaMammoError ERR_DICOM_READ | ERR_DICOM_NOT_A_FILE | ERR_DICOM_FILE_TOO_LARGE, else as parseDicom
 */
export async function readDicom(file: string): Promise<DicomImage> {
  if (typeof file !== 'string' || !file) throw invalidArgument('file', 'a file path', file);
  return parseDicom(await readDicomBytes(file), file);
}
