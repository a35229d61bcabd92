/**
 * The input limits every DICOM read and decode checks before it spends memory or time: file size,
 * dataset element count and sequence depth, pixels per frame and pixels being decoded at once.
 * Defaults are generous for real mammography (≤ 30 MP frames) and tomosynthesis (≤ 2 GiB files);
 * each can be raised with setDicomLimits() or its environment variable, and each error says which.
 */
import { RsnaMammoError, invalidArgument } from '../errors';

export interface DicomLimits {
  /** Largest file read (bytes). */
  maxFileBytes: number;
  /** Most data elements in one dataset, nested ones included. */
  maxElements: number;
  /** Deepest sequence nesting. */
  maxDepth: number;
  /** Most pixels (rows × columns × samples) of one frame. */
  maxFramePixels: number;
  /** Most pixels being decoded at the same time (all frames in flight together). */
  maxPixelsInFlight: number;
}

const ENV: Record<keyof DicomLimits, string> = {
  maxFileBytes: 'RSNA_MAMMO_MAX_FILE_BYTES',
  maxElements: 'RSNA_MAMMO_MAX_ELEMENTS',
  maxDepth: 'RSNA_MAMMO_MAX_DEPTH',
  maxFramePixels: 'RSNA_MAMMO_MAX_FRAME_PIXELS',
  maxPixelsInFlight: 'RSNA_MAMMO_MAX_PIXELS_IN_FLIGHT',
};

const DEFAULTS: DicomLimits = {
  maxFileBytes: 2 ** 31,
  maxElements: 1_000_000,
  maxDepth: 64,
  maxFramePixels: 2 ** 26,
  maxPixelsInFlight: 2 ** 28,
};

let current: DicomLimits | undefined;

function fromEnv(): DicomLimits {
  const out = { ...DEFAULTS };
  for (const key of Object.keys(ENV) as (keyof DicomLimits)[]) {
    const text = process.env[ENV[key]];
    if (text === undefined || text === '') continue;
    const v = Number(text);
    if (!Number.isSafeInteger(v) || v < 1) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `${ENV[key]}=${JSON.stringify(text)} is not a positive integer`);
    out[key] = v;
  }
  return out;
}

/** The limits in force (defaults, overridden by environment variables, then by setDicomLimits). */
export function dicomLimits(): Readonly<DicomLimits> {
  if (!current) current = fromEnv();
  return current;
}

/**
 * Changes some limits; returns the previous ones (pass them back to restore).
 * @example setDicomLimits({ maxFramePixels: 2 ** 28 }) // 16384² frames
 */
export function setDicomLimits(limits: Partial<DicomLimits>): DicomLimits {
  if (!limits || typeof limits !== 'object') throw invalidArgument('limits', 'an object of DICOM limits', limits);
  const previous = { ...dicomLimits() };
  const next = { ...previous };
  for (const [key, v] of Object.entries(limits)) {
    if (!(key in ENV)) throw invalidArgument('limits', `keys among ${Object.keys(ENV).join(', ')}`, key);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidArgument(`limits.${key}`, 'a positive integer', v);
    next[key as keyof DicomLimits] = v;
  }
  current = next;
  return previous;
}

/** The error for a value over limit `key`, naming the limit and how to raise it. */
export function limitError(code: string, key: keyof DicomLimits, what: string, file?: string): RsnaMammoError {
  const limit = dicomLimits()[key];
  return new RsnaMammoError(code, `${what} exceeds ${key} = ${limit} (raise it with setDicomLimits({ ${key} }) or ${ENV[key]})`, { file });
}
