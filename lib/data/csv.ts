/**
 * Minimal RFC 4180 CSV reading and writing (pandas `read_csv` / `to_csv` quoting: a field is quoted
 * only when it contains the separator, a quote or a line break).
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** A parsed CSV: header names and rows of raw string cells. */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

/**
 * Parses CSV text (LF or CRLF, quoted fields with doubled quotes). The first record is the header.
 * Strict where silence would corrupt rows: an unterminated quoted field (which would swallow the
 * following rows into one bogus value) and text after a closing quote are ERR_CSV_PARSE with the
 * line number. A quote inside an unquoted field is kept as a literal character (pandas does the same).
 * @param file named in error messages
 */
export function parseCsv(text: string, file?: string): CsvTable {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let quoteLine = 0;
  let line = 1;
  let i = 0;
  const fail = (at: number, why: string): never => {
    throw new RsnaMammoError('ERR_CSV_PARSE', `line ${at}: ${why}`, { file });
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          const next = text[i + 1];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') fail(line, `unexpected ${JSON.stringify(next)} after the closing quote of a field`);
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) fail(quoteLine, 'a quoted field is never closed (unterminated quote)');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ''));
  const [header = [], ...rows] = nonEmpty;
  return { header, rows };
}

/** Reads and parses a CSV file; errors name the file. */
export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RsnaMammoError('ERR_CSV_READ', `cannot read CSV: ${(err as Error).message}`, { file, cause: err });
  }
  return parseCsv(text, file);
}

/** Index of each named column; throws naming the file and the missing column. */
export function columnIndex(table: CsvTable, names: readonly string[], file?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) {
    const i = table.header.indexOf(n);
    if (i < 0) throw new RsnaMammoError('ERR_CSV_COLUMN', `missing column "${n}" (has ${table.header.join(',')})`, { file });
    out[n] = i;
  }
  return out;
}

/** Quotes a cell when pandas would (separator, quote, CR or LF inside). */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record with its LF: the one line builder (pandas quoting; lib/run/csv.ts adds formula safety). */
export function csvRecord(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\n`;
}

/** Formats a table as CSV text with LF line endings and a trailing newline (pandas `to_csv`). */
export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return csvRecord(header) + rows.map(csvRecord).join('');
}

/** Writes a CSV atomically (temp file in the same folder, then rename). */
export function writeCsvAtomic(file: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  writeFileAtomic(file, formatCsv(header, rows));
}

export { writeFileAtomic };

/**
 * Reads only the named columns of a CSV (same quoting rules as {@link parseCsv}): wide files with many
 * unused columns parse several times faster because the other cells are never materialized.
 * @returns one array of cells per requested column, in row order
 * @throws RsnaMammoError naming the file when it is unreadable, a column is missing or a row is short
 */
export function readCsvColumns(file: string, names: readonly string[], text?: string): { rows: number; columns: Record<string, string[]> } {
  if (text === undefined) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new RsnaMammoError('ERR_CSV_READ', `cannot read CSV: ${(err as Error).message}`, { file, cause: err });
    }
  }
  const nl = text.indexOf('\n');
  const header = parseCsv(nl < 0 ? text : text.slice(0, nl)).header;
  const idx = columnIndex({ header, rows: [] }, names, file);
  const want = new Int32Array(header.length).fill(-1);
  names.forEach((n, j) => (want[idx[n]] = j));
  const lastWanted = Math.max(...names.map((n) => idx[n]));
  const columns = names.map(() => [] as string[]);
  const n = text.length;
  let i = nl < 0 ? n : nl + 1;
  let line = 1;
  while (i < n) {
    line++;
    const first = text.charCodeAt(i);
    if (first === 10 || first === 13) {
      // A blank line: skipped like parseCsv does.
      i += first === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      continue;
    }
    let col = 0;
    let c = 0;
    // One record: fields until an unquoted line break.
    for (;;) {
      let value: string | undefined;
      if (text.charCodeAt(i) === 34) {
        let v = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new RsnaMammoError('ERR_CSV_VALUE', `line ${line}: unterminated quoted field`, { file });
          v += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            v += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        i = j;
        value = v;
      } else {
        const start = i;
        while (i < n && (c = text.charCodeAt(i)) !== 44 && c !== 10 && c !== 13) i++;
        if (col < want.length && want[col] >= 0) value = text.slice(start, i);
      }
      if (col < want.length && want[col] >= 0) columns[want[col]].push(value!);
      col++;
      c = i < n ? text.charCodeAt(i) : 10;
      i++;
      if (c === 44) continue;
      if (c === 13 && text.charCodeAt(i) === 10) i++;
      if (c === 10 || c === 13) break;
      throw new RsnaMammoError('ERR_CSV_VALUE', `line ${line}: unexpected character after a quoted field`, { file });
    }
    if (col <= lastWanted) throw new RsnaMammoError('ERR_CSV_VALUE', `line ${line}: ${col} fields, column "${header[lastWanted]}" is number ${lastWanted + 1}`, { file });
  }
  return { rows: columns[0].length, columns: Object.fromEntries(names.map((nm, j) => [nm, columns[j]])) };
}
