/**
 * CSV records and lines for test.csv, predictions.csv, errors.csv and submission.csv, on top of the
 * RFC 4180 parser and quoting of lib/data/csv.ts.
 */
import { csvRecord, parseCsv } from '../data/csv';

/** Parses CSV text with a header into objects keyed by column name (parser: lib/data/csv.ts). */
export function parseCsvRecords(text: string, file?: string): { header: string[]; records: Record<string, string>[] } {
  const { header, rows } = parseCsv(text, file);
  const records = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  return { header, records };
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A text a spreadsheet would not run as a formula: a field starting with = + - @, a tab or a CR
 * (and not a plain number) gets a leading apostrophe, the OWASP "CSV injection" rule.
 */
export function formulaSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

/** One field as formula-safe text (quoting is the line builder's, lib/data/csv.ts csvRecord). */
export function csvField(value: string | number | boolean | null | undefined): string {
  return formulaSafe(value === null || value === undefined ? '' : String(value));
}

/** One CSV line of our output files (with the trailing newline): formula-safe fields, pandas quoting. */
export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return csvRecord(fields.map(csvField));
}

/** Shortest text that reads back as the same float32 (like numpy's '%.9g' round trip, but shorter). */
export function formatFloat32(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  const v = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}
