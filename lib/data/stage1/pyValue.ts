/**
 * Cell values as the original's pandas tables hold them, and how `DataFrame.to_csv` prints them
 * (ALGORITHMS.md §7.0: `__*` columns are pydicom values). A column whose cells are all numbers (or
 * missing) is float64 when it has a float or a missing cell, int64 otherwise; any string, list or
 * mixed column is `object`, printed with `str()` per cell (pydicom DS/IS print their original text).
 */
import { pyFloatRepr } from '../pythonJson';

export type PyValue =
  | { t: 'missing' }
  | { t: 'int'; v: number; s?: string }
  | { t: 'float'; v: number; s?: string }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'list'; items: PyValue[] }
  | { t: 'opaque'; text: string };

export const MISSING: PyValue = Object.freeze({ t: 'missing' });
export const pyStr = (v: string): PyValue => ({ t: 'str', v });
export const pyInt = (v: number, s?: string): PyValue => ({ t: 'int', v, s });
export const pyFloat = (v: number, s?: string): PyValue => ({ t: 'float', v, s });
export const pyBool = (v: boolean): PyValue => ({ t: 'bool', v });

/** Python `str(value)` of one cell in an object column (pydicom's DSfloat/IS → original string). */
export function pyStrOf(x: PyValue): string {
  switch (x.t) {
    case 'missing':
      return '';
    case 'int':
      return x.s ?? String(x.v);
    case 'float':
      return x.s ?? pyFloatRepr(x.v);
    case 'str':
      return x.v;
    case 'bool':
      return x.v ? 'True' : 'False';
    case 'list':
      // pydicom MultiValue.__str__: strings repr'd, others str()'d.
      return x.items.length === 0 ? '' : `[${x.items.map((i) => (i.t === 'str' ? pyRepr(i.v) : pyStrOf(i))).join(', ')}]`;
    case 'opaque':
      return x.text;
  }
}

/** Python `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/** Prints a whole column as pandas would after dtype inference (see file comment). */
export function formatColumn(cells: readonly PyValue[]): string[] {
  let numeric = true;
  let anyFloat = false;
  let anyMissing = false;
  let anyValue = false;
  let allBool = true;
  for (const c of cells) {
    if (c.t === 'missing') {
      anyMissing = true;
      continue;
    }
    anyValue = true;
    if (c.t !== 'bool') allBool = false;
    if (c.t === 'float') anyFloat = true;
    else if (c.t !== 'int') numeric = false;
  }
  if (!anyValue) return cells.map(() => '');
  if (allBool && !anyMissing) return cells.map((c) => pyStrOf(c));
  if (numeric && (anyFloat || anyMissing)) return cells.map((c) => (c.t === 'missing' ? '' : pyFloatRepr((c as { v: number }).v)));
  if (numeric) return cells.map((c) => String((c as { v: number }).v));
  return cells.map(pyStrOf);
}

/** A table of typed cells with ordered column names. */
export interface TypedTable {
  columns: string[];
  rows: PyValue[][];
}

/** Formats a typed table as CSV rows (strings) column by column. */
export function formatTable(table: TypedTable): string[][] {
  const cols = table.columns.map((_, j) => formatColumn(table.rows.map((r) => r[j] ?? MISSING)));
  return table.rows.map((_, i) => cols.map((c) => c[i]));
}

/** Selects columns by name (pandas `df[[...]]`); throws naming the missing column. */
export function selectColumns(table: TypedTable, names: readonly string[], what: string): TypedTable {
  const idx = names.map((n) => {
    const j = table.columns.indexOf(n);
    if (j < 0) throw new Error(`${what}: column "${n}" is missing`);
    return j;
  });
  return { columns: [...names], rows: table.rows.map((r) => idx.map((j) => r[j] ?? MISSING)) };
}

/** pandas `read_csv` type inference for one column of raw text cells (empty = NaN). */
export function inferColumn(cells: readonly string[]): PyValue[] {
  const nonEmpty = cells.filter((c) => c !== '');
  if (nonEmpty.length === 0) return cells.map(() => MISSING);
  if (nonEmpty.every((c) => /^[+-]?\d+$/.test(c))) {
    const hasMissing = nonEmpty.length < cells.length;
    return cells.map((c) => (c === '' ? MISSING : hasMissing ? pyFloat(Number(c)) : pyInt(Number(c))));
  }
  if (nonEmpty.every((c) => c.trim() !== '' && Number.isFinite(Number(c)))) return cells.map((c) => (c === '' ? MISSING : pyFloat(Number(c))));
  if (nonEmpty.every((c) => c === 'True' || c === 'False')) return cells.map((c) => (c === '' ? MISSING : pyBool(c === 'True')));
  return cells.map((c) => (c === '' ? MISSING : pyStr(c)));
}

/** A CSV read into typed columns like pandas `read_csv`. */
export function typedFromCsv(header: string[], rows: string[][]): TypedTable {
  const cols = header.map((_, j) => inferColumn(rows.map((r) => r[j] ?? '')));
  return { columns: [...header], rows: rows.map((_, i) => cols.map((c) => c[i])) };
}

/** Column accessor by name. */
export function col(table: TypedTable, name: string): number {
  const j = table.columns.indexOf(name);
  if (j < 0) throw new Error(`column "${name}" is missing (has ${table.columns.join(',')})`);
  return j;
}

/** Python `str()` of a cell as used in string concatenations of the original (`str(x)`). */
export function cellText(v: PyValue): string {
  return v.t === 'missing' ? 'nan' : pyStrOf(v);
}
