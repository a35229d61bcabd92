/**
 * A walk over a dataset's element headers (no values are read) that enforces maxElements and
 * maxDepth before dicom-parser builds one JS object property per element: ~8 million tiny elements
 * make V8's property dictionary quadratic, and 5,000 nested sequences overflow the parser's stack.
 * The walk is iterative. Anything it cannot make sense of ends the walk quietly: reporting damaged
 * files is the parser's job, this one only counts.
 */
import { limitError } from './limits';
import { dicomLimits } from './limits';

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

interface Syntax { explicit: boolean; little: boolean }

interface Context {
  kind: 'items' | 'sequence' | 'fragments';
  end: number; // exclusive; Infinity for undefined length
}

/** Counts elements from `start` (the dataset after the File Meta group) and throws over a limit. */
export function checkDatasetLimits(b: Uint8Array, start: number, syntax: Syntax, file: string | undefined, counted = 0): void {
  const { maxElements, maxDepth } = dicomLimits();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (p: number): number => dv.getUint16(p, syntax.little);
  const u32 = (p: number): number => dv.getUint32(p, syntax.little);
  const stack: Context[] = [{ kind: 'items', end: b.length }];
  let depth = 0;
  let count = counted;
  let p = start;
  while (stack.length) {
    const ctx = stack[stack.length - 1];
    if (p >= ctx.end) {
      if (stack.length === 1) return;
      if (stack.pop()!.kind === 'sequence') depth--;
      continue;
    }
    if (p + 8 > b.length) return;
    const group = u16(p), element = u16(p + 2);
    if (group === 0xfffe) {
      const length = u32(p + 4);
      p += 8;
      if (element === 0xe0dd || element === 0xe00d) { // sequence / item delimiter
        if (ctx.end !== Infinity || stack.length === 1) return;
        if (stack.pop()!.kind === 'sequence') depth--;
        continue;
      }
      if (element !== 0xe000) return;
      if (ctx.kind === 'fragments') {
        if (length === UNDEFINED) return;
        p += length;
      } else if (ctx.kind === 'sequence') {
        stack.push({ kind: 'items', end: length === UNDEFINED ? Infinity : p + length });
      } else {
        return;
      }
      continue;
    }
    if (ctx.kind !== 'items') return;
    let vr = '';
    let length: number;
    if (syntax.explicit) {
      vr = String.fromCharCode(b[p + 4], b[p + 5]);
      if (LONG_VRS.has(vr)) {
        if (p + 12 > b.length) return;
        length = u32(p + 8);
        p += 12;
      } else {
        length = u16(p + 6);
        p += 8;
      }
    } else {
      length = u32(p + 4);
      p += 8;
    }
    if (++count > maxElements) throw limitError('ERR_DICOM_TOO_MANY_ELEMENTS', 'maxElements', `the dataset's element count (over ${count - 1})`, file);
    const isPixelData = group === 0x7fe0 && element === 0x0010;
    // Implicit VR: a value that starts with an item tag is a sequence, as dicom-parser decides.
    const startsItem = !syntax.explicit && length !== 0 && p + 4 <= b.length && u16(p) === 0xfffe && u16(p + 2) === 0xe000;
    const isSequence = vr === 'SQ' || (!isPixelData && (startsItem || (!syntax.explicit && length === UNDEFINED)));
    if (isSequence) {
      if (++depth > maxDepth) throw limitError('ERR_DICOM_TOO_DEEP', 'maxDepth', `sequence nesting (depth ${depth})`, file);
      stack.push({ kind: 'sequence', end: length === UNDEFINED ? Infinity : p + length });
    } else if (length === UNDEFINED) {
      stack.push({ kind: 'fragments', end: Infinity });
    } else {
      p += length;
    }
  }
}

/** The File Meta Information group (explicit VR LE after `DICM`): its transfer syntax and where the dataset starts. */
export interface FileMeta { transferSyntaxUID?: string; datasetStart: number; elements: number }

/** Reads group 0002 after the preamble without touching the dataset (dicom-parser's reader parses one element past it). */
export function readFileMeta(b: Uint8Array): FileMeta {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 132;
  let elements = 0;
  let transferSyntaxUID: string | undefined;
  let end = b.length; // (0002,0000) FileMetaInformationGroupLength, when present, ends the group
  while (p + 8 <= Math.min(end, b.length) && dv.getUint16(p, true) === 0x0002) {
    const element = dv.getUint16(p + 2, true);
    const vr = String.fromCharCode(b[p + 4], b[p + 5]);
    let length: number;
    if (LONG_VRS.has(vr)) {
      if (p + 12 > b.length) break;
      length = dv.getUint32(p + 8, true);
      p += 12;
    } else {
      length = dv.getUint16(p + 6, true);
      p += 8;
    }
    if (length === UNDEFINED || p + length > b.length) break;
    if (element === 0x0000 && length === 4) end = p + 4 + dv.getUint32(p, true);
    if (element === 0x0010) transferSyntaxUID = Buffer.from(b.buffer, b.byteOffset + p, length).toString('latin1').replace(/[\0 ]+$/, '') || undefined;
    elements++;
    p += length;
  }
  return { transferSyntaxUID, datasetStart: p, elements };
}
