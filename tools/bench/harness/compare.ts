/**
 * The numbers of a row: medians, the ratio (original ÷ ours) and the same_output decision. Speed is
 * compared only when both sides computed the same thing; the comparators' tolerances come from the
 * goldens' noise notes (golden/preprocess/README.md "Numerical noise", golden/README.md).
 */
import fs from 'fs';
import path from 'path';
import { Comparator, ItemResult, SideResult } from './types';

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Mean over items of each item's median time: the row's ms per item. */
export function rowMs(items: ItemResult[]): number | null {
  if (items.length === 0) return null;
  return items.reduce((sum, it) => sum + median(it.ms), 0) / items.length;
}

/** Mean over items of each item's median CPU time (null when a side did not report it). */
export function rowCpuMs(items: ItemResult[]): number | null {
  if (items.length === 0 || items.some((it) => !it.cpu_ms?.length)) return null;
  return items.reduce((sum, it) => sum + median(it.cpu_ms as number[]), 0) / items.length;
}

/** original ÷ ours; null when either is missing or ours is zero. */
export function ratio(pythonMs: number | null, oursMs: number | null): number | null {
  if (pythonMs === null || oursMs === null || !(oursMs > 0)) return null;
  return pythonMs / oursMs;
}

/** A row whose pair ratios spread wider than this (relative to their median) is marked. */
export const WIDE_SPREAD = 0.2;

/** The interleaved pairs of a row (lockstep.ts): repeat r of ours ran right before repeat r of the original. */
export interface PairStats {
  /** Number of (ours, original) pairs over all items. */
  pairs: number;
  /** Median over all pairs of original ms ÷ ours ms. */
  median: number;
  min: number;
  max: number;
  /** Widest (max − min) ÷ median of one item's pair ratios (items of different sizes may differ: that is not noise). */
  spread: number;
  wide: boolean;
}

/** Pair ratios of a row; null when no item has a pair with positive times. */
export function pairStats(ours: ItemResult[], peer: ItemResult[]): PairStats | null {
  const all: number[] = [];
  let spread = 0;
  for (const o of ours) {
    const p = peer.find((q) => q.id === o.id);
    if (!p) continue;
    const r: number[] = [];
    for (let i = 0; i < Math.min(o.ms.length, p.ms.length); i++) if (o.ms[i] > 0) r.push(p.ms[i] / o.ms[i]);
    if (!r.length) continue;
    all.push(...r);
    spread = Math.max(spread, (Math.max(...r) - Math.min(...r)) / median(r));
  }
  if (!all.length) return null;
  return { pairs: all.length, median: median(all), min: Math.min(...all), max: Math.max(...all), spread, wide: spread > WIDE_SPREAD };
}

export interface Verdict {
  same: boolean;
  detail: string;
}

function readTyped(file: string, kind: 'f32' | 'u8'): Float32Array | Uint8Array {
  const buf = fs.readFileSync(file);
  if (kind === 'u8') return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Compares two equal-length arrays: max |a−b| and the fraction of exactly equal elements. */
export function arrayDiff(a: ArrayLike<number>, b: ArrayLike<number>): { maxDiff: number; equalFraction: number } {
  if (a.length !== b.length) return { maxDiff: Infinity, equalFraction: 0 };
  let maxDiff = 0;
  let equal = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d === 0) equal++;
    else if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
  }
  return { maxDiff, equalFraction: a.length ? equal / a.length : 1 };
}

function outputFile(dir: string, id: string): string {
  return path.join(dir, `${id.replace(/\//g, '_')}.bin`);
}

/** Compares one item's outputs; `oursDir`/`peerDir` hold the arrays the sides wrote (f32/u8 kinds). */
export function compareItem(
  c: Comparator,
  ours: ItemResult,
  peer: ItemResult,
  dirs: { ours: string; peer: string },
): Verdict {
  const o = ours.output;
  const p = peer.output;
  switch (c.kind) {
    case 'hash': {
      // One hash, or one per image (sweep).
      const [a, b] = [[o.sha256].flat(), [p.sha256].flat()];
      const same = a.length > 0 && a.every((h) => typeof h === 'string') && JSON.stringify(a) === JSON.stringify(b);
      const differ = a.findIndex((h, i) => h !== b[i]);
      return { same, detail: same ? `sha256 equal${a.length > 1 ? ` (${a.length} images)` : ''}` : `sha256 #${differ} ${String(a[differ]).slice(0, 12)} vs ${String(b[differ]).slice(0, 12)}` };
    }
    case 'box': {
      const same = JSON.stringify(o.box) === JSON.stringify(p.box);
      return { same, detail: same ? `box ${JSON.stringify(o.box)} equal` : `box ${JSON.stringify(o.box)} vs ${JSON.stringify(p.box)}` };
    }
    case 'probs': {
      const a = (o.probs as number[] | undefined) ?? [];
      const b = (p.probs as number[] | undefined) ?? [];
      const { maxDiff } = arrayDiff(a, b);
      const boxSame = p.box === undefined || JSON.stringify(o.box) === JSON.stringify(p.box);
      const same = a.length > 0 && maxDiff <= c.tolerance && boxSame;
      return { same, detail: `max |Δprob| ${fmt(maxDiff)} (tol ${c.tolerance})${boxSame ? '' : `, box ${JSON.stringify(o.box)} vs ${JSON.stringify(p.box)}`}` };
    }
    case 'f32':
    case 'u8': {
      const fo = outputFile(dirs.ours, ours.id);
      const fp = outputFile(dirs.peer, peer.id);
      if (!fs.existsSync(fo) || !fs.existsSync(fp)) return { same: false, detail: `output array missing (${path.basename(fo)})` };
      const { maxDiff, equalFraction } = arrayDiff(readTyped(fo, c.kind), readTyped(fp, c.kind));
      const same = c.kind === 'f32' ? maxDiff <= c.tolerance : maxDiff <= c.maxDiff && equalFraction >= c.minEqualFraction;
      return { same, detail: `max |Δ| ${fmt(maxDiff)}, ${(equalFraction * 100).toFixed(3)} % equal` };
    }
  }
}

function fmt(x: number): string {
  return x === 0 ? '0' : x < 1e-2 ? x.toExponential(1) : x.toFixed(3);
}

/** The row's same_output: every item present on both sides and each comparison within tolerance. */
export function compareSides(c: Comparator, ours: SideResult, peer: SideResult, dirs: { ours: string; peer: string }): Verdict {
  const details: string[] = [];
  let same = ours.items.length === peer.items.length && ours.items.length > 0;
  for (const it of ours.items) {
    const other = peer.items.find((p) => p.id === it.id);
    if (!other) {
      same = false;
      details.push(`${it.id}: missing on the peer`);
      continue;
    }
    const v = compareItem(c, it, other, dirs);
    same = same && v.same;
    details.push(v.detail);
  }
  // One line per row: the worst item's detail is what matters; identical details collapse.
  const unique = [...new Set(details)];
  return { same, detail: unique.length <= 2 ? unique.join('; ') : `${unique[0]}; … (${unique.length} distinct)` };
}
