/**
 * Converts the top-level elements of a dicom-parser DataSet into keyword → value pairs
 * (DicomImage.attributes()), with pydicom keywords where lib/dicom/dictionary.ts knows the tag.
 */
import type { DataSet, Element } from 'dicom-parser';
import { dictionaryEntry } from './dictionary';

export type AttributeValue = string | number | number[] | undefined;

const BINARY_SIZES: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };
const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DT', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

function tagName(key: string): string {
  const hex = key.slice(1).toUpperCase();
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

function numbersOf(values: number[]): number | number[] | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  return finite.length === 1 ? finite[0] : finite;
}

function valueOf(dataSet: DataSet, key: string, element: Element, vr: string | undefined): AttributeValue {
  if (!vr || element.length === 0 || element.length === undefined) return vr && STRING_VRS.has(vr) ? '' : undefined;
  if (vr === 'DS' || vr === 'IS') {
    const n = dataSet.numStringValues(key) ?? 0;
    const parse = (i: number): number => (vr === 'DS' ? dataSet.floatString(key, i) : dataSet.intString(key, i)) ?? NaN;
    return numbersOf(Array.from({ length: n }, (_, i) => parse(i)));
  }
  if (STRING_VRS.has(vr)) return vr === 'LT' || vr === 'ST' || vr === 'UT' ? dataSet.text(key) : dataSet.string(key);
  const size = BINARY_SIZES[vr];
  if (!size) return undefined; // SQ, OB, OW, UN: no scalar value
  const read: Record<string, (k: string, i: number) => number | undefined> = {
    US: (k, i) => dataSet.uint16(k, i), SS: (k, i) => dataSet.int16(k, i), UL: (k, i) => dataSet.uint32(k, i),
    SL: (k, i) => dataSet.int32(k, i), FL: (k, i) => dataSet.float(k, i), FD: (k, i) => dataSet.double(k, i),
  };
  const count = Math.min(Math.floor(element.length / size), 64);
  return numbersOf(Array.from({ length: count }, (_, i) => read[vr](key, i) ?? NaN));
}

/** keyword → value of every top-level element of `dataSet`. */
export function datasetAttributes(dataSet: DataSet): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const key of Object.keys(dataSet.elements).sort()) {
    const element = dataSet.elements[key];
    const entry = dictionaryEntry(key);
    const vr = element.vr ?? entry?.vr;
    let value: AttributeValue;
    try {
      value = key === 'x7fe00010' ? undefined : valueOf(dataSet, key, element, vr);
    } catch {
      value = undefined; // a value past the end of a damaged file
    }
    out[entry ? entry.keyword : tagName(key)] = value;
  }
  return out;
}
