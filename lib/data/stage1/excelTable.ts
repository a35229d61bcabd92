/**
 * Reads one sheet of an .xlsx file into typed columns like pandas `read_excel` (openpyxl engine):
 * first row = header, empty cells = NaN, whole numbers are ints, columns inferred as in `pyValue`.
 * exceljs is an optionalDependency (large, and only two label sheets of stage-1 preparation need it):
 * it is loaded here, on the first spreadsheet, never by `require('rsna-mammo')`.
 */
import type ExcelJS from 'exceljs';
import { MISSING, pyBool, pyFloat, pyInt, pyStr, PyValue, TypedTable } from './pyValue';
import { RsnaMammoError } from '../../errors';

type Raw = number | string | boolean | null;

function plain(v: ExcelJS.CellValue): Raw {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  const o = v as unknown as { richText?: { text: string }[]; result?: unknown; text?: string; error?: string };
  if (o.richText) return o.richText.map((r) => r.text).join('');
  if ('result' in o) return plain(o.result as ExcelJS.CellValue);
  if (typeof o.text === 'string') return o.text;
  return null;
}

/** pandas dtype inference for one column of spreadsheet values. */
function inferExcelColumn(values: Raw[]): PyValue[] {
  const present = values.filter((v) => v !== null);
  const numeric = present.every((v) => typeof v === 'number');
  const anyFloat = present.some((v) => typeof v === 'number' && !Number.isInteger(v));
  const toFloat = numeric && (anyFloat || present.length < values.length);
  return values.map((v): PyValue => {
    if (v === null) return MISSING;
    if (typeof v === 'boolean') return pyBool(v);
    if (typeof v === 'string') return pyStr(v);
    return toFloat || !Number.isInteger(v) ? pyFloat(v) : pyInt(v);
  });
}

/** exceljs, or ERR_OPTIONAL_DEPENDENCY with the install command when it was left out. */
function loadExcelJs(file: string): typeof ExcelJS {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('exceljs') as typeof ExcelJS;
  } catch (err) {
    throw new RsnaMammoError('ERR_OPTIONAL_DEPENDENCY',
      'reading .xlsx label sheets (stage-1 preparation of MiniDDSM and CDD-CESM) needs the optional package exceljs: `npm install exceljs`',
      { file, cause: err });
  }
}

/**
 * @param file the .xlsx
 * @param sheet sheet name (default: the first sheet, as `read_excel`'s sheet_name=0)
 */
export async function readExcelTable(file: string, sheet?: string): Promise<TypedTable> {
  const wb = new (loadExcelJs(file).Workbook)();
  try {
    await wb.xlsx.readFile(file);
  } catch (err) {
    throw new RsnaMammoError('ERR_XLSX_READ', `cannot read spreadsheet: ${(err as Error).message}`, { file, cause: err });
  }
  const ws = sheet === undefined ? wb.worksheets[0] : wb.getWorksheet(sheet);
  if (!ws) throw new RsnaMammoError('ERR_XLSX_READ', `no sheet ${sheet === undefined ? '(none)' : `"${sheet}"`}`, { file });
  const grid: Raw[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const vals = row.values as ExcelJS.CellValue[]; // 1-based
    grid.push(Array.from({ length: Math.max(0, vals.length - 1) }, (_, j) => plain(vals[j + 1])));
  });
  if (grid.length === 0) return { columns: [], rows: [] };
  const header = grid[0].map((h, j) => (h === null ? `Unnamed: ${j}` : String(h)));
  const body = grid.slice(1);
  const cols = header.map((_, j) => inferExcelColumn(body.map((r) => r[j] ?? null)));
  return { columns: header, rows: body.map((_, i) => cols.map((c) => c[i])) };
}
