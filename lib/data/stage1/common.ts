/**
 * Shared pieces of the stage-1 processors (ALGORITHMS.md §7.0): the context each dataset gets, the
 * stage1_images symlinks, header reading into typed columns and the cleaned_label.csv writer.
 */
import fs from 'fs';
import path from 'path';
import { formatTable, MISSING, PyValue, TypedTable, typedFromCsv } from './pyValue';
import { readDicomMeta } from './dicomMeta';
import { readCsv, writeCsvAtomic } from '../csv';
import { RsnaMammoError } from '../../errors';

export interface Stage1Context {
  /** {RAW_DATA_DIR}/{dataset} */
  rawDir: string;
  /** {RAW_DATA_DIR}/{dataset}/stage1_images */
  stage1Dir: string;
  /** {PROCESSED_DATA_DIR}/classification/{dataset}/cleaned_label.csv */
  cleanedLabelFile: string;
  /** {ASSETS_DIR}/data (raw label fallbacks) */
  assetsDataDir: string;
  /** Progress lines. */
  log: (message: string) => void;
}

export interface Stage1Result {
  rows: number;
  images: number;
}

/** The original's make_symlink: absolute source that must exist. */
export function makeSymlink(src: string, dst: string): void {
  const abs = path.resolve(src);
  if (!fs.existsSync(abs)) throw new RsnaMammoError('ERR_STAGE1_SOURCE', 'source image is missing', { file: abs });
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.rmSync(dst, { force: true });
  fs.symlinkSync(abs, path.resolve(dst));
}

/** Reads a CSV like pandas `read_csv` (typed columns). */
export function readTypedCsv(file: string): TypedTable {
  const t = readCsv(file);
  return typedFromCsv(t.header, t.rows);
}

/** `{rawDir}/label.csv`, or the shipped copy in assets/data when the raw folder has none. */
export function rawLabelFile(ctx: Stage1Context, assetName: string): string {
  const own = path.join(ctx.rawDir, 'label.csv');
  if (fs.existsSync(own)) return own;
  const shipped = path.join(ctx.assetsDataDir, assetName);
  if (fs.existsSync(shipped)) {
    ctx.log(`using shipped ${assetName} (no ${own})`);
    return shipped;
  }
  throw new RsnaMammoError('ERR_STAGE1_LABELS', 'label.csv is missing', { file: own });
}

/**
 * The original's `get_dicom_meta`: one header per (patient_id, image_id) at
 * `{dir}/{patient_id}/{image_id}.{ext}`; columns are the keywords in order of first appearance.
 * @param check called with each header (e.g. the RSNA ModalityLUTSequence assertion)
 */
export function dicomMetaColumns(
  dir: string,
  ids: readonly { patientId: string; imageId: string }[],
  ext: string,
  check?: (meta: Map<string, PyValue>, file: string) => void,
): { keywords: string[]; values: Map<string, PyValue>[] } {
  const keywords: string[] = [];
  const seen = new Set<string>();
  const values = ids.map(({ patientId, imageId }) => {
    const file = path.join(dir, patientId, `${imageId}.${ext}`);
    const meta = readDicomMeta(file);
    check?.(meta, file);
    for (const k of meta.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        keywords.push(k);
      }
    }
    return meta;
  });
  return { keywords, values };
}

/** Row accessor by column name. */
export function getter(table: TypedTable): (row: PyValue[], name: string) => PyValue {
  const idx = new Map(table.columns.map((c, j) => [c, j]));
  return (row, name) => {
    const j = idx.get(name);
    if (j === undefined) throw new Error(`column "${name}" is missing (has ${table.columns.join(',')})`);
    return row[j] ?? MISSING;
  };
}

/** Writes cleaned_label.csv atomically (pandas `to_csv(index=False)` formatting). */
export function writeCleanedLabels(file: string, table: TypedTable): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeCsvAtomic(file, table.columns, formatTable(table));
}

/** Python string ordering (code points; all ids here are ASCII). */
export function pyCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts rows by the given string-valued columns (pandas sort_values; missing last). */
export function sortRows(table: TypedTable, by: readonly string[]): TypedTable {
  const get = getter(table);
  const key = (r: PyValue[], c: string): string | undefined => {
    const v = get(r, c);
    return v.t === 'missing' ? undefined : v.t === 'str' ? v.v : String((v as { v: unknown }).v);
  };
  const rows = [...table.rows].sort((a, b) => {
    for (const c of by) {
      const ka = key(a, c);
      const kb = key(b, c);
      if (ka === kb) continue;
      if (ka === undefined) return 1;
      if (kb === undefined) return -1;
      return pyCompare(ka, kb);
    }
    return 0;
  });
  return { columns: table.columns, rows };
}

/** How CMMD/BMCD rows are ordered: as the shipped cleaned CSV (default) or as the code sorts them. */
export type RowOrder = 'shipped' | 'code';

/**
 * Reorders rows to follow a shipped image_id order (assets/data/{ds}_row_order.txt); rows whose
 * image_id is not listed keep their relative order after the listed ones.
 */
export function applyShippedOrder(table: TypedTable, orderFile: string): TypedTable {
  const order = new Map(fs.readFileSync(orderFile, 'utf8').split('\n').filter((l) => l).map((id, i) => [id, i]));
  const g = getter(table);
  const rank = (r: PyValue[]): number => {
    const v = g(r, 'image_id');
    return order.get(v.t === 'str' ? v.v : '') ?? Number.MAX_SAFE_INTEGER;
  };
  const rows = table.rows.map((r, i) => ({ r, i, k: rank(r) })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.r);
  return { columns: table.columns, rows };
}
