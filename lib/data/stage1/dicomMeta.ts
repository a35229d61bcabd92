/**
 * DICOM header → pydicom-like attribute values, as stage 1 reads them with
 * `dcmread(stop_before_pixels=True).iterall()` (ALGORITHMS.md §7.0): every element in tag order,
 * recursing into sequence items right after the sequence element; a keyword seen twice keeps its
 * LAST value (the original fills a dict). File meta (group 0002) is not part of the dataset.
 */
import fs from 'fs';
import dicomParser, { DataSet, Element } from 'dicom-parser';
import { DICOM_KEYWORDS } from './dicomKeywords';
import { MISSING, PyValue, pyFloat, pyInt, pyStr } from './pyValue';
import { RsnaMammoError } from '../../errors';
import { openDicomSync } from '../../dicom/gate';

const HEAD_BYTES = 32 * 1024; // headers are small; a longer one is re-read whole
const TEXT_UNSPLIT = new Set(['LT', 'ST', 'UT', 'UR']);
const BINARY_INT: Record<string, [number, (ds: DataSet, tag: string, i: number) => number | undefined]> = {
  US: [2, (ds, t, i) => ds.uint16(t, i)],
  SS: [2, (ds, t, i) => ds.int16(t, i)],
  UL: [4, (ds, t, i) => ds.uint32(t, i)],
  SL: [4, (ds, t, i) => ds.int32(t, i)],
};
const BINARY_FLOAT: Record<string, [number, (ds: DataSet, tag: string, i: number) => number | undefined]> = {
  FL: [4, (ds, t, i) => ds.float(t, i)],
  FD: [8, (ds, t, i) => ds.double(t, i)],
};

/** Reads a DICOM header (pixel data excluded) and returns keyword → value. */
export function readDicomMeta(file: string): Map<string, PyValue> {
  let ds: DataSet;
  try {
    ds = parseHead(file);
  } catch (err) {
    throw new RsnaMammoError('ERR_DICOM_META', `cannot read DICOM header: ${(err as Error).message ?? String(err)}`, { file, cause: err });
  }
  const out = new Map<string, PyValue>();
  walk(ds, out);
  return out;
}

function parseHead(file: string): DataSet {
  const { fd, size } = openDicomSync(file); // regular files only, never blocks on a FIFO (lib/dicom/gate.ts)
  try {
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    fs.readSync(fd, head, 0, head.length, 0);
    try {
      return dicomParser.parseDicom(head, { untilTag: 'x7fe00010' });
    } catch (err) {
      if (head.length === size) throw err;
      const whole = Buffer.alloc(size);
      fs.readSync(fd, whole, 0, size, 0);
      return dicomParser.parseDicom(whole, { untilTag: 'x7fe00010' });
    }
  } finally {
    fs.closeSync(fd);
  }
}

function walk(ds: DataSet, out: Map<string, PyValue>): void {
  const tags = Object.keys(ds.elements).sort();
  for (const tag of tags) {
    const hex = tag.slice(1).toUpperCase();
    if (hex.startsWith('0002') || hex === '7FE00010') continue;
    const el = ds.elements[tag];
    const known = DICOM_KEYWORDS[hex];
    const vr = el.vr ?? known?.[1];
    if (known) out.set(known[0], elementValue(ds, el, vr));
    if (el.items) for (const item of el.items) if (item.dataSet) walk(item.dataSet, out);
  }
}

function elementValue(ds: DataSet, el: Element, vr: string | undefined): PyValue {
  if (vr === 'SQ' || el.items) return { t: 'opaque', text: `<Sequence of ${el.items?.length ?? 0} item(s)>` };
  if (!vr) return MISSING;
  const bin = BINARY_INT[vr] ?? BINARY_FLOAT[vr];
  if (bin) {
    const [size, get] = bin;
    const n = Math.floor(el.length / size);
    if (n === 0) return MISSING;
    const vals = Array.from({ length: n }, (_, i) => get(ds, el.tag, i) as number);
    const mk = BINARY_INT[vr] ? (v: number) => pyInt(v) : (v: number) => pyFloat(v);
    return n === 1 ? mk(vals[0]) : { t: 'list', items: vals.map(mk) };
  }
  const raw = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length);
  if (['OB', 'OW', 'OF', 'OD', 'OL', 'UN', 'AT'].includes(vr)) return { t: 'opaque', text: pyBytesRepr(raw) };
  let text = raw.toString('latin1');
  while (text.endsWith(' ') || text.endsWith('\0')) text = text.slice(0, -1);
  const parts = TEXT_UNSPLIT.has(vr) ? [text] : text.split('\\');
  const conv = (p: string): PyValue => {
    if (vr === 'DS') return p.trim() === '' ? MISSING : pyFloat(Number(p.trim()), p.trim());
    if (vr === 'IS') return p.trim() === '' ? MISSING : pyInt(Number(p.trim()), p.trim());
    return pyStr(p);
  };
  if (parts.length === 1) return parts[0] === '' && (vr === 'DS' || vr === 'IS') ? MISSING : conv(parts[0]);
  return { t: 'list', items: parts.map(conv) };
}

/** Python `repr(bytes)`. */
function pyBytesRepr(b: Buffer): string {
  const q = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let s = `b${q}`;
  for (const c of b) {
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === q.charCodeAt(0)) s += `\\${q}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${s}${q}`;
}
